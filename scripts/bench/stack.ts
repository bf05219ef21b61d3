/**
 * The system under benchmark, started the way the tests start theirs: an embedded PostgreSQL and a
 * Temporal dev server (SQLite file with the WAL pragmas) on free loopback ports, or the servers
 * named by BENCH_DATABASE_URL / BENCH_TEMPORAL_ADDRESS; then a fresh migrated database, a local
 * SMTP sink that every clinic's email goes to, and the real worker and API as their own processes
 * (the load generator must not share their event loop).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { type Config, parseConfig } from '../../domain/config';
import { TASK_QUEUES } from '../../domain/temporal';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { applyMigrations } from '../../prisma/migrator';
import { connectTemporalClient } from '../../temporal-config/client';
import { ensureSearchAttributes } from '../../temporal-config/search-attributes';
import { buildWorkflowBundle } from '../../workers/workflow-bundle';
import { startSmtpPeer, type SmtpPeer } from '../../test/fakes/smtp-peer';
import { type AppProcess, spawnApp, stopApp, waitForApi } from '../stack/app-processes';
import { freePort } from '../stack/ports';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../stack/postgres';
import { type DevServer, startTemporalDevServer } from '../stack/temporal-dev-server';
import { type BenchSettings } from './settings';

export const SMTP_ACCOUNT = { username: 'bench', password: 'bench-smtp-password' };
/** ENVIRONMENT.md: about twice the dev server's default throughput. */
export const DEV_SERVER_PRAGMAS = { journal_mode: 'wal', synchronous: 'normal' };
/**
 * One partition per task queue: with one worker polling, tasks on the default four partitions
 * wait to be forwarded to the partition the worker polls (the dev server's own default is for
 * clusters). The baseline runs on the same server, so the ratios stay fair.
 */
export const DEV_SERVER_DYNAMIC_CONFIG = { 'matching.numTaskqueueReadPartitions': 1, 'matching.numTaskqueueWritePartitions': 1 };

export interface BenchStack {
  apiUrl: string;
  env: Record<string, string>;
  config: Config;
  prisma: PrismaClient;
  temporal: Awaited<ReturnType<typeof connectTemporalClient>>;
  smtp: SmtpPeer;
  worker: AppProcess;
  api: AppProcess;
  /** Restarts the worker (e.g. with other tuning variables); resolves once it polls again. */
  restartWorker(extraEnv?: Record<string, string>): Promise<AppProcess>;
  /** Fault injection (scripts/faults/): crashes and restarts of the stack's own processes and servers. */
  faults: StackFaults;
  stop(): Promise<void>;
}

export interface StackFaults {
  /** SIGKILL: no shutdown hook runs, nothing in flight is reported. Resolves once the process is gone. */
  crashWorker(): Promise<void>;
  /** A new worker process; resolves once Temporal sees it poll. */
  startWorker(): Promise<void>;
  crashApi(): Promise<void>;
  /** A new API process on the same port; resolves once /healthz answers. */
  startApi(): Promise<void>;
  /** SIGKILLs the Temporal dev server (only one this stack started). */
  crashTemporal(): Promise<void>;
  /** Starts it again on the same port and the same SQLite file. */
  startTemporal(): Promise<void>;
  /** Stops PostgreSQL (fast shutdown: every session is cut); only one this stack started. */
  stopPostgres(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  startPostgres(): Promise<void>;
}

/** `appEnv`: variables for the worker and API processes on top of the stack's own (e.g. LOG_LEVEL). */
export async function startBenchStack(settings: BenchSettings, log: (line: string) => void, appEnv: Record<string, string> = {}): Promise<BenchStack> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'clinicflow-bench-'));
    // PostgreSQL runs as an unprivileged user that must be able to enter the scratch folder.
    await chmod(scratch, 0o755);
    stops.push(() => rm(scratch, { recursive: true, force: true }));

    const ownDb = settings.BENCH_DATABASE_URL ? undefined : await startPostgres(scratch, stops, log);
    const adminUrl = settings.BENCH_DATABASE_URL ?? ownDb!.adminUrl;
    const ownTemporal = settings.BENCH_TEMPORAL_ADDRESS ? undefined : await startTemporal(settings, scratch, stops, log);
    const temporalAddress = settings.BENCH_TEMPORAL_ADDRESS ?? ownTemporal!.server.address;
    const databaseUrl = await createDatabase(adminUrl, stops);
    await applyMigrations(databaseUrl);
    const connection = await Connection.connect({ address: temporalAddress });
    await ensureSearchAttributes(connection, 'default');
    await connection.close();

    const smtp = await startSmtpPeer(SMTP_ACCOUNT);
    stops.push(() => smtp.stop());
    const apiPort = await freePort();
    // The worker loads its workflows from a bundle built ahead, as a deployed worker does.
    const workflowBundle = path.join(scratch, 'workflow-bundle.js');
    await writeFile(workflowBundle, await buildWorkflowBundle());
    const env = { ...benchEnv({ databaseUrl, temporalAddress, apiPort, smtpPort: smtp.port }), WORKFLOW_BUNDLE_PATH: workflowBundle, ...appEnv };
    const config = parseConfig(env);
    const prisma = createPrismaClient(databaseUrl, { max: 4 });
    stops.push(() => prisma.$disconnect());
    const temporal = await connectTemporalClient({ address: temporalAddress, namespace: config.TEMPORAL_NAMESPACE, keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
    stops.push(() => temporal.connection.close());

    // Started from a test file, the processes must not take themselves for test files.
    const { NODE_TEST_CONTEXT: _testContext, ...parentEnv } = process.env;
    const spawnWorker = (extraEnv: Record<string, string> = {}) => spawnApp('worker', 'workers/worker.ts', { ...parentEnv, ...env, ...extraEnv }, settings.BENCH_BACKGROUND_NICENESS);
    let worker = spawnWorker();
    stops.push(() => stopApp(worker));
    let api = spawnApp('api', 'api/server.ts', { ...parentEnv, ...env });
    stops.push(() => stopApp(api));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitForApi(`${apiUrl}/healthz`, new AbortController().signal);
    await waitForPoller(temporal.connection);
    log(`stack ready: API ${apiUrl}, Temporal ${temporalAddress}, SMTP sink 127.0.0.1:${smtp.port}; worker and Temporal at niceness ${settings.BENCH_BACKGROUND_NICENESS}`);

    const stack: BenchStack = {
      apiUrl,
      env,
      config,
      prisma,
      temporal,
      smtp,
      worker,
      api,
      async restartWorker(extraEnv = {}) {
        await stopApp(worker);
        worker = spawnWorker(extraEnv);
        stack.worker = worker;
        await waitForPoller(temporal.connection, worker.child.pid);
        return worker;
      },
      faults: {
        crashWorker: () => crash(worker),
        async startWorker() {
          worker = spawnWorker();
          stack.worker = worker;
          await waitForPoller(temporal.connection, worker.child.pid);
        },
        crashApi: () => crash(api),
        async startApi() {
          api = spawnApp('api', 'api/server.ts', { ...parentEnv, ...env });
          stack.api = api;
          await waitForApi(`${apiUrl}/healthz`, new AbortController().signal);
        },
        async crashTemporal() {
          if (!ownTemporal) throw new Error('the Temporal server is not this stack\'s own');
          const { process: child } = ownTemporal.server;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const gone = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await gone;
        },
        async startTemporal() {
          if (!ownTemporal) throw new Error('the Temporal server is not this stack\'s own');
          await ownTemporal.restart();
        },
        async stopPostgres() {
          if (!ownDb) throw new Error('the PostgreSQL server is not this stack\'s own');
          await ownDb.stop();
        },
        async startPostgres() {
          if (!ownDb) throw new Error('the PostgreSQL server is not this stack\'s own');
          await ownDb.start();
        },
      },
      stop,
    };
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}

function benchEnv(o: { databaseUrl: string; temporalAddress: string; apiPort: number; smtpPort: number }): Record<string, string> {
  const email = { providers: [{ provider: 'smtp', credentials: { host: '127.0.0.1', port: o.smtpPort, secure: false, ...SMTP_ACCOUNT, fromAddress: 'desk@bench.clinicflow.test' } }], settings: {} };
  return {
    NODE_ENV: 'production',
    // One log line per request would cost the API more than some of the requests do.
    LOG_LEVEL: 'warn',
    DATABASE_URL: o.databaseUrl,
    TEMPORAL_ADDRESS: o.temporalAddress,
    API_HOST: '127.0.0.1',
    API_PORT: String(o.apiPort),
    JWT_SECRET: randomBytes(32).toString('hex'),
    ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
    LOGIN_RATE_LIMIT_PER_15_MIN: '1000',
    BCRYPT_COST: '4',
    PAYLOAD_ENCRYPTION_KEYS: `bench-1:${randomBytes(32).toString('base64')}`,
    PAYLOAD_ENCRYPTION_KEY_ID: 'bench-1',
    CREDENTIAL_ENCRYPTION_KEYS: `bench-cred-1:${randomBytes(32).toString('base64')}`,
    CREDENTIAL_ENCRYPTION_KEY_ID: 'bench-cred-1',
    GLOBAL_MESSAGING_CONFIG: JSON.stringify({ email }),
    SEED_DEMO: 'false',
  };
}

/** SIGKILL, then waits for the exit. */
async function crash(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGKILL');
  await app.exited;
}

async function startPostgres(scratch: string, stops: Array<() => Promise<unknown>>, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const port = await freePort();
  log(`starting PostgreSQL on ${port}`);
  // Persistent, so that a restart (scripts/faults/) finds its data; the scratch folder goes at the end anyway.
  const db = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), port, persistent: true });
  stops.push(() => db.stop());
  return db;
}

async function startTemporal(
  settings: BenchSettings,
  scratch: string,
  stops: Array<() => Promise<unknown>>,
  log: (line: string) => void,
): Promise<{ server: DevServer; restart(): Promise<void> }> {
  const cli = settings.TEMPORAL_CLI;
  if (!cli) throw new Error('TEMPORAL_CLI is not set: run the benchmark with `npm run bench`, or set BENCH_TEMPORAL_ADDRESS');
  const port = await freePort();
  log(`starting the Temporal dev server on ${port} (SQLite ${Object.entries(DEV_SERVER_PRAGMAS).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  const options = { cli, port, dbFile: path.join(scratch, 'temporal.db'), sqlitePragmas: DEV_SERVER_PRAGMAS, dynamicConfig: settings.BENCH_DEV_SERVER_DEFAULTS ? {} : DEV_SERVER_DYNAMIC_CONFIG, niceness: settings.BENCH_BACKGROUND_NICENESS };
  const own = {
    server: await startTemporalDevServer(options),
    async restart() {
      own.server = await startTemporalDevServer(options);
    },
  };
  stops.push(() => own.server.stop());
  return own;
}

async function createDatabase(adminUrl: string, stops: Array<() => Promise<unknown>>): Promise<string> {
  const name = `bench_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  stops.push(async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The worker bundles its workflows before it polls: wait until Temporal sees a poller (of `pid`, if given). */
async function waitForPoller(connection: Connection, pid?: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { pollers } = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: TASK_QUEUES.operations }, taskQueueType: 1 });
    if ((pollers ?? []).some((p) => pid === undefined || (p.identity ?? '').startsWith(`${pid}@`))) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the worker did not start polling in time');
}
