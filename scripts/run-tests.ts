/**
 * Runs every test of ClinicFlow against real dependencies started just for this run: an embedded
 * PostgreSQL server and a Temporal dev server, both on free loopback ports and thrown away
 * afterwards. Time-skipping workflow tests start their own test server (TEMPORAL_TEST_SERVER_PATH).
 * Usage: tsx scripts/run-tests.ts [test files…]   (no files: every *.test.ts)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from '../temporal-config/search-attributes';
import { freePort } from './stack/ports';
import { startEmbeddedPostgres } from './stack/postgres';
import { startTemporalDevServer } from './stack/temporal-dev-server';

const ROOT = path.resolve(import.meta.dirname, '..');
const TEST_DIRS = ['api', 'activities', 'domain', 'prisma', 'scripts', 'temporal-config', 'test', 'workers', 'workflows'];

async function findTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'generated' ? [] : findTests(p);
      return e.name.endsWith('.test.ts') ? [p] : [];
    }),
  );
  return nested.flat();
}

/**
 * Each test file's deadline (Node 20's --test-timeout bounds a whole file's process): a file that
 * hangs (a server that stopped answering, a worker that cannot drain) fails and the run goes on.
 * The slowest file takes about three minutes.
 */
const FILE_TIMEOUT_MS = 10 * 60_000;
/** The whole run takes about twenty-five minutes; past this something hangs beyond one file and CI must hear why. */
const RUN_TIMEOUT_MS = 60 * 60_000;

/** Waits for the test runner; stops its whole process group on Ctrl-C, when it overruns RUN_TIMEOUT_MS and once it is done. */
function runToEnd(child: ChildProcess): Promise<number> {
  const stopGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const overrun = setTimeout(() => {
    console.error(`[test] the tests did not finish within ${RUN_TIMEOUT_MS / 60_000} minutes: stopping them (the last test above is the one that hung)`);
    stopGroup('SIGTERM');
    setTimeout(() => stopGroup('SIGKILL'), 10_000).unref();
  }, RUN_TIMEOUT_MS);
  const interrupt = () => stopGroup('SIGINT');
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  return new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(overrun);
      // A file stopped at its deadline may leave a server it started behind: nothing of the run outlives it.
      stopGroup('SIGKILL');
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

async function main(): Promise<number> {
  const requested = process.argv.slice(2);
  const files = requested.length
    ? requested.map((f) => path.resolve(f))
    : (await Promise.all(TEST_DIRS.map((d) => findTests(path.join(ROOT, d))))).flat().sort();

  const temporalCli = process.env.TEMPORAL_CLI;
  if (!temporalCli) throw new Error('TEMPORAL_CLI is not set: run the tests through scripts/test.sh');

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'clinicflow-test-'));
  // PostgreSQL runs as an unprivileged user that must be able to enter the scratch folder.
  await chmod(scratch, 0o755);
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  console.log(`[test] starting PostgreSQL on ${pgPort} and the Temporal dev server on ${temporalPort}`);
  const started = await Promise.allSettled([
    startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port: pgPort, persistent: false }),
    startTemporalDevServer({ cli: temporalCli, port: temporalPort }),
  ]);
  const stopAll = async () => {
    await Promise.allSettled(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    await rm(scratch, { recursive: true, force: true });
  };
  const [db, temporal] = started;
  if (db.status === 'rejected' || temporal.status === 'rejected') {
    await stopAll();
    throw db.status === 'rejected' ? db.reason : (temporal as PromiseRejectedResult).reason;
  }
  try {
    const connection = await Connection.connect({ address: temporal.value.address });
    await ensureSearchAttributes(connection, 'default');
    await connection.close();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${FILE_TIMEOUT_MS}`, '--test-reporter=spec', ...files],
      {
        cwd: ROOT,
        stdio: 'inherit',
        // Its own process group, so a stuck run can be stopped with every test process it started.
        detached: true,
        env: { ...process.env, NODE_ENV: 'test', TEST_DATABASE_URL: db.value.adminUrl, TEMPORAL_ADDRESS: temporal.value.address },
      },
    );
    return await runToEnd(child);
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
