/**
 * Runs every test of ClinicFlow against real dependencies started just for this run: an embedded
 * PostgreSQL server and a Temporal dev server, both on free loopback ports and thrown away
 * afterwards. Time-skipping workflow tests start their own test server (TEMPORAL_TEST_SERVER_PATH).
 * Usage: tsx scripts/run-tests.ts [test files…]   (no files: every *.test.ts)
 */
import { spawn } from 'node:child_process';
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
      ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, NODE_ENV: 'test', TEST_DATABASE_URL: db.value.adminUrl, TEMPORAL_ADDRESS: temporal.value.address },
      },
    );
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
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
