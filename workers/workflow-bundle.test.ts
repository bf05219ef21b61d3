/**
 * The workflow bundle stays small: every workflow a worker starts (or replays after eviction) runs
 * the top level of every module of the bundle again in its own module cache, so a schema library
 * there costs memory and CPU per workflow (with zod in it, 2,000 open appointment workflows held
 * 4.4 GiB of worker memory; without, 1.9 GiB). Settings schemas live in domain/*-settings.ts and
 * serving-providers.ts, which no workflow imports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildWorkflowBundle } from './workflow-bundle';

test('the workflow bundle holds no zod, no settings schemas and no message templates', async () => {
  const code = await buildWorkflowBundle();
  const modules = new Set([...code.matchAll(/"\.\/((?:node_modules\/(?:@[^/]+\/)?[^/]+)|domain\/[^"]+)/g)].map((m) => m[1]!));
  assert.ok(modules.has('domain/appointments.ts'), 'the bundle lists its modules as expected');
  for (const unwanted of ['node_modules/zod', 'domain/messaging.ts', 'domain/message-templates.ts', 'domain/text.ts']) assert.ok(!modules.has(unwanted), `${unwanted} is in the workflow bundle`);
  assert.deepEqual([...modules].filter((m) => m.endsWith('-settings.ts')), []);
});
