/**
 * Runs Schemathesis (installed by scripts/tools/ensure-tools.sh, SCHEMATHESIS_PATH) against the
 * real API on a real port: real PostgreSQL, Temporal with a worker, Stripe through stripe-mock.
 * Checks: no server error, every status documented, every body as documented. A fixed seed and
 * no example database carried between runs: the same cases every time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { isPlatformRole, type Role } from '../../domain/roles';
import { actor, createClinic, startTestApi, type TestApi } from './api';
import { startStripeMock, type StripeMock } from './stripe-mock';
import { startTestWorker, type TestWorker } from './worker';

export const SEED = 20261203;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'];

export interface FuzzPlan {
  /** Schemathesis phases: examples, coverage (boundary and invalid values), fuzzing (random), stateful. */
  phases: string;
  /** Test cases per operation in the fuzzing phase. */
  maxExamples: number;
}

export interface FuzzFigures {
  operations: number;
  cases: number;
  failures: number;
}

export interface FuzzTarget {
  /** Signs in as `role` and fuzzes every operation; fails the test on any failed check. */
  fuzzAs(role: Role, plan: FuzzPlan): Promise<FuzzFigures>;
  close(): Promise<void>;
}

/** The run's figures, from Schemathesis's summary. */
function figuresOf(output: string): FuzzFigures {
  const operations = Number(/Tested:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const cases = Number(/(\d+) generated/.exec(output)?.[1] ?? 0);
  const failures = Number(/generated, (?:\d+ found )?(\d+) unique failures/.exec(output)?.[1] ?? 0);
  return { operations, cases, failures };
}

/** Runs still going: a test stopped at its deadline must not leave Schemathesis fuzzing a closed server. */
const running = new Set<ChildProcess>();

function run(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const bin = process.env.SCHEMATHESIS_PATH;
  assert.ok(bin, 'SCHEMATHESIS_PATH is not set: run the tests through scripts/test.sh, which installs Schemathesis');
  return new Promise((resolve, reject) => {
    // In the scratch folder: Schemathesis keeps a cache (.schemathesis/) in its working directory.
    const child = spawn(bin, args, { cwd, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  // Stripe is configured as in production: without it, payment links answer 503 by design.
  const stripe: StripeMock = await startStripeMock();
  const api: TestApi = await startTestApi({
    LOG_LEVEL: 'warn',
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: `whsec_${randomUUID().replaceAll('-', '')}`,
    PROVIDER_ENDPOINTS: JSON.stringify({ stripe: stripe.url }),
    // The fuzzer signs in thousands of times with made-up accounts; the limits have their own tests.
    LOGIN_RATE_LIMIT_PER_15_MIN: '100000',
    LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '100000',
  });
  const worker: TestWorker = await startTestWorker(api);
  const clinicId = (await createClinic(api, { name: 'Fuzzed Clinic', tier: 'XL' })).id;
  const server = api.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const reports = await mkdtemp(path.join(os.tmpdir(), 'clinicflow-schemathesis-'));

  return {
    async fuzzAs(role, plan) {
      const who = await actor(api, role, isPlatformRole(role) ? null : clinicId);
      const report = path.join(reports, `${role}.ndjson`);
      const headers = [`Authorization: Bearer ${who.token}`, ...(isPlatformRole(role) ? [`X-Clinic-Id: ${clinicId}`] : [])];
      const args = [
        'run',
        `${baseUrl}/api/v1/openapi.json`,
        ...['--url', baseUrl],
        ...['--checks', CHECKS.join(',')],
        ...['--phases', plan.phases],
        ...['--max-examples', String(plan.maxExamples)],
        ...['--seed', String(SEED)],
        ...['--generation-database', 'none'],
        ...['--request-timeout', '20'],
        ...['--workers', '2'],
        '--no-color',
        ...['--report', 'ndjson', '--report-ndjson-path', report],
        ...headers.flatMap((h) => ['--header', h]),
      ];
      const { code, output } = await run(args, reports);
      const figures = figuresOf(output);
      console.log(`[schemathesis] ${role}: ${figures.operations} operations, ${figures.cases} test cases, ${figures.failures} failures (${plan.phases}; ${plan.maxExamples} examples)`);
      assert.ok((await readFile(report, 'utf8').catch(() => '')).length > 0, `no report was written:\n${output.slice(-5000)}`);
      assert.ok(figures.operations > 80, `only ${figures.operations} operations were tested`);
      assert.equal(code, 0, output.slice(-20_000));
      return figures;
    },
    async close() {
      for (const child of running) child.kill('SIGKILL');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.stop();
      await api.close();
      await stripe.stop();
      await rm(reports, { recursive: true, force: true });
    },
  };
}
