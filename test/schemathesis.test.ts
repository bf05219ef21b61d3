/**
 * Schemathesis fuzzes every operation of the OpenAPI document against the real API (real
 * PostgreSQL, Temporal and a worker), signed in as each role in turn: no answer may be a server
 * error, every answer's status must be documented and its body must match the documented schema.
 * A fixed seed and a bounded number of examples per operation keep the run repeatable and within
 * a few minutes. Installed by scripts/tools/ensure-tools.sh (SCHEMATHESIS_PATH).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isPlatformRole, ROLES, type Role } from '../domain/roles';
import { actor, createClinic, startTestApi, type TestApi } from './support/api';
import { startStripeMock, type StripeMock } from './support/stripe-mock';
import { startTestWorker, type TestWorker } from './support/worker';

const SEED = 20261203;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'];

/**
 * How hard each role is fuzzed. CLINIC_ADMIN reaches nearly every operation: every phase
 * (coverage: boundary and invalid values of every parameter; fuzzing: random ones; stateful:
 * chains of creates and reads). SUPER_ADMIN reaches the platform's operations. The other roles
 * mostly meet the permission check, so a short random round each is enough. About six minutes.
 */
const PLAN: Record<Role, { phases: string; maxExamples: number }> = {
  CLINIC_ADMIN: { phases: 'examples,coverage,fuzzing,stateful', maxExamples: 5 },
  SUPER_ADMIN: { phases: 'examples,fuzzing', maxExamples: 10 },
  OPS: { phases: 'examples,fuzzing', maxExamples: 3 },
  MANAGER: { phases: 'examples,fuzzing', maxExamples: 3 },
  DOCTOR: { phases: 'examples,fuzzing', maxExamples: 3 },
  THERAPIST: { phases: 'examples,fuzzing', maxExamples: 3 },
  NURSE: { phases: 'examples,fuzzing', maxExamples: 3 },
  RECEPTIONIST: { phases: 'examples,fuzzing', maxExamples: 3 },
  ACCOUNTANT: { phases: 'examples,fuzzing', maxExamples: 3 },
};
const WEBHOOK_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;

let stripe: StripeMock;
let api: TestApi;
let worker: TestWorker;
let server: ReturnType<TestApi['app']['listen']>;
let baseUrl: string;
let clinicId: string;
let reports: string;

before(async () => {
  // Stripe (stripe-mock) is configured as in production: without it, payment links answer 503 by design.
  stripe = await startStripeMock();
  api = await startTestApi({
    LOG_LEVEL: 'warn',
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PROVIDER_ENDPOINTS: JSON.stringify({ stripe: stripe.url }),
    // The fuzzer signs in thousands of times with made-up accounts; the limits have their own tests.
    LOGIN_RATE_LIMIT_PER_15_MIN: '100000',
    LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '100000',
  });
  worker = await startTestWorker(api);
  clinicId = (await createClinic(api, { name: 'Fuzzed Clinic', tier: 'XL' })).id;
  server = api.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  reports = await mkdtemp(path.join(os.tmpdir(), 'clinicflow-schemathesis-'));
});

after(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await worker?.stop();
  await api?.close();
  await stripe?.stop();
  if (reports) await rm(reports, { recursive: true, force: true });
});

interface RunOutcome {
  code: number;
  output: string;
}

function schemathesis(args: string[]): Promise<RunOutcome> {
  const bin = process.env.SCHEMATHESIS_PATH;
  assert.ok(bin, 'SCHEMATHESIS_PATH is not set: run the tests through scripts/test.sh, which installs Schemathesis');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function fuzzAs(role: Role): Promise<RunOutcome & { report: string }> {
  const who = await actor(api, role, isPlatformRole(role) ? null : clinicId);
  const report = path.join(reports, `${role}.json`);
  const headers = [`Authorization: Bearer ${who.token}`, ...(isPlatformRole(role) ? [`X-Clinic-Id: ${clinicId}`] : [])];
  const outcome = await schemathesis([
    'run',
    `${baseUrl}/api/v1/openapi.json`,
    '--url',
    baseUrl,
    '--checks',
    CHECKS.join(','),
    '--phases',
    PLAN[role].phases,
    '--max-examples',
    String(PLAN[role].maxExamples),
    // The same cases every run: a fixed seed, and no database of earlier runs' examples.
    '--seed',
    String(SEED),
    '--generation-database',
    'none',
    '--request-timeout',
    '20',
    '--workers',
    '2',
    '--no-color',
    '--report',
    'ndjson',
    '--report-ndjson-path',
    report,
    ...headers.flatMap((h) => ['--header', h]),
  ]);
  return { ...outcome, report };
}

/** The run's figures, from Schemathesis's summary. */
function figures(output: string) {
  const tested = /Tested:\s+(\d+)/.exec(output)?.[1];
  const cases = /(\d+) generated/.exec(output)?.[1];
  const failures = /generated, (?:\d+ found )?(\d+) unique failures/.exec(output)?.[1] ?? '0';
  return { operations: Number(tested), cases: Number(cases), failures: Number(failures) };
}

for (const role of ROLES) {
  test(`as ${role}: no server error, documented statuses and response bodies`, async () => {
    const outcome = await fuzzAs(role);
    const f = figures(outcome.output);
    console.log(`[schemathesis] ${role}: ${f.operations} operations, ${f.cases} test cases, ${f.failures} failures (${PLAN[role].phases}, ${PLAN[role].maxExamples} examples)`);
    assert.ok((await readFile(outcome.report, 'utf8').catch(() => '')).length > 0, 'a report was written');
    assert.ok(f.operations > 80, `only ${f.operations} operations were tested`);
    assert.equal(outcome.code, 0, outcome.output.slice(-20_000));
  });
}
