// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Vendor SDKs the connectors send with, and those the API's webhooks also use to check signatures. */
const SENDING_SDKS = String.raw`^(nodemailer|@aws-sdk/[^/]+|firebase-admin)(/|$)`;
const WEBHOOK_SDKS = String.raw`^(twilio|@vonage/[^/]+|messagebird)(/|$)`;

export default tseslint.config(
  { ignores: ['node_modules/', 'prisma/generated/', '.data/', '.tools/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test runs these itself; awaiting them in a test file changes nothing.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O libraries.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    // Tests run in Node, outside the sandbox.
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'], message: 'Workflows and domain run in the workflow sandbox: no Node built-ins.' },
            { group: ['**/activities/*', '**/activities', '!**/activities/types'], message: 'Workflows import activity types only (import type).', allowTypeImports: true },
            { group: ['@prisma/*', '**/prisma/*', 'pg', 'express', 'pino'], message: 'No I/O libraries in the workflow sandbox.' },
          ],
        },
      ],
    },
  },
  {
    // The API and the seed read providers through their SDK-free descriptors; connectors and every
    // other activity implementation (and the SDKs they load) belong to the worker.
    files: ['api/**/*.ts', 'prisma/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Allowed from activities/: the descriptor registry, a provider's descriptor, the provider
              // types, and the pure helpers the API shares with activities (ids, addresses, pay and report links).
              regex: String.raw`(^|/)activities/(?!messaging/providers/(descriptors|types|[a-z]+/[a-z0-9-]+/descriptor)$|messaging/(message-ids|recipients)$|payments/pay-links$|reports/report-links$)`,
              message: 'api/ and prisma/ read providers through activities/messaging/providers/descriptors (or a <channel>/<provider>/descriptor), never through connectors or other activity implementations.',
            },
            { regex: SENDING_SDKS, message: 'Sending SDKs belong to the connectors (worker side).' },
          ],
        },
      ],
    },
  },
  {
    // The S3 backend of the file storage (expense receipts): the API stores files itself. It is
    // imported lazily, only when FILE_S3_BUCKET is set, so the API loads no AWS SDK otherwise
    // (test/provider-sdk-loading.test.ts).
    files: ['api/storage/s3-storage.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Descriptors are what the API may load: zod, node built-ins and domain only, no SDK, no connector.
    files: ['activities/messaging/providers/descriptors.ts', 'activities/messaging/providers/*/*/descriptor.ts', 'activities/messaging/providers/*/*/presets.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: String.raw`(^|/)(connectors?|twilio-client|http-failure)$`, message: 'A descriptor never imports connector code.' },
            { regex: `${SENDING_SDKS}|${WEBHOOK_SDKS}`, message: 'A descriptor never imports a vendor SDK.' },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
