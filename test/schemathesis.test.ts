/**
 * Schemathesis fuzzes every operation of the OpenAPI document against the real API (real
 * PostgreSQL, Temporal and a worker), signed in as each role in turn: no answer may be a server
 * error, every answer's status must be documented and its body must match the documented schema.
 * A fixed seed and a bounded number of examples per operation keep the run repeatable and within
 * a few minutes. Installed by scripts/tools/ensure-tools.sh (SCHEMATHESIS_PATH).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isPlatformRole, ROLES, type Role } from '../domain/roles';
import { actor, createClinic, startTestApi, type TestApi } from './support/api';
import { startTestWorker, type TestWorker } from './support/worker';

const SEED = 20261203;
/** Test cases per operation and role in the fuzzing phase; the examples and coverage phases add their own. */
const MAX_EXAMPLES = Number(process.env.SCHEMATHESIS_MAX_EXAMPLES ?? 10);
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'];

let api: TestApi;
let worker: TestWorker;
let server: ReturnType<TestApi['app']['listen']>;
let baseUrl: string;
let clinicId: string;
let reports: string;

before(async () => {
  api = await startTestApi({ LOG_LEVEL: 'warn', LOGIN_RATE_LIMIT_PER_15_MIN: '1000', LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '1000' });
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
    '--seed',
    String(SEED),
    '--max-examples',
    String(MAX_EXAMPLES),
    '--generation-deterministic',
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

for (const role of ROLES.filter((r) => !process.env.FUZZ_ROLES || process.env.FUZZ_ROLES.split(",").includes(r))) {
  test(`as ${role}: no server error, documented statuses and response bodies`, async () => {
    const outcome = await fuzzAs(role);
    const summary = outcome.output.split('\n').slice(-40).join('\n');
    console.log(`--- schemathesis as ${role} ---\n${summary}`);
    const events = (await readFile(outcome.report, 'utf8').catch(() => '')).length;
    assert.ok(events > 0, 'a report was written');
    assert.equal(outcome.code, 0, outcome.output.slice(-20_000));
  });
}
