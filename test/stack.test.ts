/**
 * The newcomer's path, end to end: `npm start`'s launcher (scripts/stack/start.ts) on a fresh
 * data folder starts every piece, the seeded super admin can log in, an appointment lives its
 * whole life (booking, confirmation and reminder emails, visit), Ctrl-C stops everything
 * and leaves no process behind, and a second start finds the same data (clinics in PostgreSQL,
 * workflows in Temporal's SQLite file). The local mail inbox runs too, and the demo clinic's
 * email is configured to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseEnv } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { z } from 'zod';
import { configSchema } from '../domain/config';
import { DEMO_CLINIC_ID, DEMO_STAFF } from '../prisma/seed';
import { freePort, isPortOpen } from '../scripts/stack/ports';
import { ROUND_THE_CLOCK } from './support/scheduling';
import { eventually } from './support/eventually';

const ROOT = path.resolve(import.meta.dirname, '..');
const START_TIMEOUT_MS = 150_000;
const STOP_TIMEOUT_MS = 60_000;

interface Ports {
  pg: number;
  temporal: number;
  temporalUi: number;
  api: number;
  inboxSmtp: number;
  inboxWeb: number;
}

async function distinctFreePorts(): Promise<Ports> {
  const ports = new Set<number>();
  while (ports.size < 6) ports.add(await freePort());
  const [pgPort = 0, temporal = 0, temporalUi = 0, api = 0, inboxSmtp = 0, inboxWeb = 0] = [...ports];
  return { pg: pgPort, temporal, temporalUi, api, inboxSmtp, inboxWeb };
}

/** The launcher's environment: nothing of the test run's own configuration leaks in. */
function launcherEnv(scratch: string, ports: Ports): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [...Object.keys(configSchema.shape), 'TEST_DATABASE_URL', 'INBOX']) delete env[key];
  return {
    ...env,
    CLINICFLOW_ENV_FILE: path.join(scratch, 'env'),
    CLINICFLOW_DATA_DIR: path.join(scratch, 'data'),
    PG_PORT: String(ports.pg),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.temporalUi),
    INBOX_SMTP_PORT: String(ports.inboxSmtp),
    INBOX_WEB_PORT: String(ports.inboxWeb),
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    BCRYPT_COST: '4',
    LOG_LEVEL: 'warn',
  };
}

class Launcher {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly startedAt = Date.now();

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) readline.createInterface({ input: stream }).on('line', (line) => this.output.push(line));
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the start-up time once the launcher prints its banner. */
  async ready(): Promise<number> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.output.some((l) => l.includes('ClinicFlow is running'))) return (Date.now() - this.startedAt) / 1000;
      if (!this.running) throw new Error(`the launcher exited with ${this.child.exitCode ?? this.child.signalCode} before it was ready`);
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the launcher was not ready within ${START_TIMEOUT_MS / 1000} s`);
  }

  /** Ctrl-C; resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    this.child.kill('SIGINT');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') throw new Error(`the launcher did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
    return result;
  }

  /** The value printed after a banner label. */
  bannerValue(label: string): string | undefined {
    const line = this.output.find((l) => l.trimStart().startsWith(`${label} `));
    return line?.trim().slice(label.length).trim();
  }
}

const tokensSchema = z.object({ accessToken: z.string().min(1) });
const channelConfigSchema = z.looseObject({
  configured: z.boolean(),
  providers: z.array(z.object({ provider: z.string(), credentials: z.record(z.string(), z.unknown()) })),
});

async function login(apiPort: number, email: string, password: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${apiPort}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, `login of ${email}: ${await response.clone().text()}`);
  return tokensSchema.parse(await response.json()).accessToken;
}

async function rowCounts(pgPort: number): Promise<{ clinics: number; staff: number; demoClinic: number }> {
  // The embedded server's fixed local credentials (scripts/stack/postgres.ts).
  const client = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${pgPort}/clinicflow` });
  await client.connect();
  try {
    const count = async (sql: string, params: unknown[] = []) =>
      Number((await client.query<{ n: string }>(sql, params)).rows[0]?.n ?? -1);
    return {
      clinics: await count('SELECT count(*) AS n FROM "Clinic"'),
      staff: await count('SELECT count(*) AS n FROM "StaffUser"'),
      demoClinic: await count('SELECT count(*) AS n FROM "Clinic" WHERE id = $1', [DEMO_CLINIC_ID]),
    };
  } finally {
    await client.end();
  }
}

async function withTemporal<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}


/**
 * An appointment's whole life in the running system, as the clinic and ops see it: booked through
 * the API, its confirmation and (with a five-minute offset, booked five minutes and a little
 * ahead) its reminder in the local inbox, check-in, start and completion, then the appointment,
 * the delivery log and the workflows found in Temporal by AppointmentId (only its own: each message
 * was delivered by its first try).
 */
async function followAnAppointment(ports: Ports, token: string, temporalAddress: string): Promise<void> {
  const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${ports.api}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-clinic-id': DEMO_CLINIC_ID, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.ok(response.status < 300, `${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  await call('PATCH', `/clinics/${DEMO_CLINIC_ID}`, { settings: { appointments: { reminderOffsetsMinutes: [5], reminderChannels: ['email'] } } });
  const staff = (await call('GET', '/staff?role=THERAPIST')) as { data: Array<{ id: string }> };
  const therapistId = staff.data[0]!.id;
  // Round the clock, so the test books whatever the hour.
  await call('PUT', `/practitioners/${therapistId}/working-hours`, { weekly: ROUND_THE_CLOCK });
  const patientEmail = `e2e-${randomUUID().slice(0, 8)}@patients.test`;
  const patient = await call('POST', '/patients', { firstName: 'Noor', lastName: 'Haddad', email: patientEmail });
  const startsAt = new Date(Date.now() + 5 * 60_000 + 20_000);
  const booked = await call('POST', '/appointments', { patientId: patient.id, practitionerId: therapistId, startsAt: startsAt.toISOString(), durationMinutes: 30, type: 'CONSULTATION' }, { 'idempotency-key': randomUUID() });
  const appointmentId = String(booked.id);

  const inbox = async (subject: RegExp) => {
    const response = await fetch(`http://127.0.0.1:${ports.inboxWeb}/api/messages`);
    const messages = (await response.json()) as Array<{ to: string[] | string; subject: string }>;
    return messages.find((m) => String(m.to).includes(patientEmail) && subject.test(m.subject)) ?? undefined;
  };
  await eventually('the booking confirmation to reach the inbox', () => inbox(/is booked/), 60_000);
  await eventually('the reminder five minutes before to reach the inbox', () => inbox(/^Reminder/), 90_000);

  for (const action of ['check-in', 'start', 'complete']) await call('POST', `/appointments/${appointmentId}/${action}`, {});
  const detail = (await call('GET', `/appointments/${appointmentId}`)) as { status: string; workflowId: string; workflow: { remindersSent: unknown[] } | null };
  assert.equal(detail.status, 'COMPLETED');
  assert.equal(detail.workflow?.remindersSent.length, 1);

  const log = (await call('GET', `/messages?patientId=${String(patient.id)}`)) as { data: Array<{ id: string; status: string; category: string; channel: string | null }> };
  assert.deepEqual(log.data.map((m) => [m.category, m.status, m.channel]), [['appointment', 'DELIVERED', 'email'], ['appointment', 'DELIVERED', 'email']], 'confirmation and reminder');
  const attempts = (await call('GET', `/messages/${log.data[0]!.id}`)) as { attempts: Array<{ provider: string; outcome: string }> };
  assert.deepEqual(attempts.attempts.map((a) => [a.provider, a.outcome]), [['smtp', 'ACCEPTED']]);

  await withTemporal(temporalAddress, async (client) => {
    const found = await eventually('the appointment and its messages to be listed by AppointmentId', async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `AppointmentId = "${appointmentId}"` })) ids.push(w.workflowId);
      return ids.length >= 1 ? ids : undefined;
    });
    assert.ok(found.includes(detail.workflowId), 'the lifecycle workflow');
    assert.equal(found.filter((id) => id.startsWith(`message/${DEMO_CLINIC_ID}/`)).length, 0, 'no delivery workflows: the first try of each message delivered it');
    const history = await client.workflow.getHandle(detail.workflowId).fetchHistory();
    assert.equal(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 3, 'check-in, start, complete');
    const described = await client.workflow.getHandle(detail.workflowId).describe();
    assert.equal(described.status.name, 'COMPLETED');
  });
}

/**
 * The demo clinic's monthly payment reminders in the running system: its Schedule is there (in the
 * clinic's time zone), and a run started by hand reminds the seeded patients who owe something, by
 * e-mail into the local inbox (the demo has no SMS provider), with the amount and a pay link.
 */
async function remindThoseWhoOwe(ports: Ports, token: string, temporalAddress: string, env: NodeJS.ProcessEnv): Promise<void> {
  await withTemporal(temporalAddress, async (client) => {
    // Read raw, as the Web UI does: its arguments are encrypted and this client has no key.
    const { schedule } = await client.workflowService.describeSchedule({ namespace: 'default', scheduleId: `payment-reminders/${DEMO_CLINIC_ID}` });
    assert.equal(schedule?.spec?.timezoneName, 'Asia/Kolkata');
    assert.equal(schedule?.state?.paused ?? false, false);
  });
  const headers = { authorization: `Bearer ${token}`, 'x-clinic-id': DEMO_CLINIC_ID };
  const run = await fetch(`http://127.0.0.1:${ports.api}/api/v1/clinics/${DEMO_CLINIC_ID}/payment-reminders/run`, { method: 'POST', headers });
  assert.equal(run.status, 202, `start this month's payment reminders: ${await run.clone().text()}`);
  const payLinks = new Map<string, string>();
  for (const [email, amount] of [['emily.carter@example.com', '1200.00 INR'], ['kavya.reddy@example.com', '1500.00 INR']] as const) {
    const mail = await eventually(`the payment reminder to ${email}`, async () => {
      const messages = (await (await fetch(`http://127.0.0.1:${ports.inboxWeb}/api/messages`)).json()) as Array<{ to: string[] | string; subject: string; text?: string }>;
      const mail = messages.find((m) => String(m.to).includes(email) && /^Your balance at /.test(m.subject));
      return mail && (mail.text ?? '').includes(amount) && /\/api\/v1\/pay\//.test(mail.text ?? '') ? mail : undefined;
    }, 60_000);
    payLinks.set(email, /\/api\/v1\/pay\/[A-Za-z0-9._~-]+/.exec(mail.text ?? '')?.[0] ?? '');
  }
  await payAsStripeWould(ports, env, payLinks.get('emily.carter@example.com') ?? '', 'emily.carter@example.com');
  const runs = (await (await fetch(`http://127.0.0.1:${ports.api}/api/v1/clinics/${DEMO_CLINIC_ID}/payment-reminders/runs`, { headers })).json()) as Array<{ trigger: string; counts: { found: number } }>;
  assert.equal(runs[0]?.trigger, 'MANUAL');
  assert.ok((runs[0]?.counts.found ?? 0) >= 2);
}

/**
 * The payment chase ends as a newcomer sees it: the reminder's pay link opens a Checkout (on
 * stripe-mock, which the launcher runs without a Stripe key), `npm run stripe:pay` reports the
 * payment as Stripe's signed webhook would, and the patient owes nothing, the chase settled.
 */
async function payAsStripeWould(ports: Ports, env: NodeJS.ProcessEnv, payPath: string, email: string): Promise<void> {
  const link = await fetch(`http://127.0.0.1:${ports.api}${payPath}`, { redirect: 'manual' });
  assert.equal(link.status, 303, `the pay link ${payPath} answered ${link.status}: ${await link.clone().text()}`);
  assert.match(link.headers.get('location') ?? '', /^https?:\/\//, 'to a Stripe Checkout page');

  const client = new pg.Client({ connectionString: `postgresql://postgres:postgres@127.0.0.1:${ports.pg}/clinicflow` });
  await client.connect();
  try {
    const patientId = (await client.query<{ id: string }>('SELECT id FROM "Patient" WHERE email = $1', [email])).rows[0]?.id ?? '';
    const pay = spawn(process.execPath, ['--import', 'tsx', 'scripts/stripe-pay.ts', patientId], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    for (const stream of [pay.stdout, pay.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => pay.once('exit', resolve));
    assert.equal(code, 0, `npm run stripe:pay: ${output}`);
    assert.match(output, /Paid 1200\.00 INR/);
    await eventually('the chase of the paid balance to settle', async () => {
      const { rows } = await client.query<{ status: string }>('SELECT status FROM "PaymentReminder" WHERE "patientId" = $1', [patientId]);
      return rows.length > 0 && rows.every((r) => r.status === 'SETTLED');
    }, 60_000);
    // Stripe's payment, once (the demo's earlier bank transfers are hers too).
    const payments = await client.query<{ amount: string; method: string }>(`SELECT amount::text, method::text FROM "Payment" WHERE "patientId" = $1 AND method = 'STRIPE'`, [patientId]);
    assert.deepEqual(payments.rows, [{ amount: '1200.00', method: 'STRIPE' }]);
  } finally {
    await client.end();
  }
}

async function assertAllPortsClosed(ports: Ports): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    assert.equal(await isPortOpen(port), false, `${name} port ${port} is still open after the launcher stopped`);
  }
}

test('.env.example documents every configuration variable, with placeholders for the secrets', async () => {
  const example = await readFile(path.join(ROOT, '.env.example'), 'utf8');
  const launcherOnly = ['CLINICFLOW_DATA_DIR', 'PG_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'CLINICFLOW_ENV_FILE', 'INBOX', 'INBOX_SMTP_PORT', 'INBOX_WEB_PORT'];
  for (const key of [...Object.keys(configSchema.shape), ...launcherOnly]) {
    assert.match(example, new RegExp(`^(# *)?${key}=`, 'm'), `.env.example does not mention ${key}`);
  }
  // What the launcher reads from it as it is: the documented local defaults, no real secret.
  const values = parseEnv(example);
  assert.equal(values.DATABASE_URL, undefined, 'DATABASE_URL stays unset: the launcher runs PostgreSQL');
  assert.equal(values.TEMPORAL_ADDRESS, undefined, 'TEMPORAL_ADDRESS stays unset: the launcher runs Temporal');
  assert.match(values.JWT_SECRET ?? '', /GENERATED/);
  assert.match(values.PAYLOAD_ENCRYPTION_KEYS ?? '', /^local-1:.*GENERATED/);
  assert.equal(values.PAYLOAD_ENCRYPTION_KEY_ID, 'local-1');
  assert.match(values.CREDENTIAL_ENCRYPTION_KEYS ?? '', /^local-1:.*GENERATED/);
  assert.equal(values.SUPERADMIN_EMAIL, 'superadmin@clinicflow.test');
  assert.equal(values.SUPERADMIN_PASSWORD, 'ChangeMe-SuperAdmin-2026');
  assert.equal(values.DEMO_STAFF_PASSWORD, 'ChangeMe-Demo-2026');
});

test('npm start runs the whole system, stops cleanly on Ctrl-C and keeps its data', { timeout: 600_000 }, async (t) => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'clinicflow-stack-'));
  // The embedded PostgreSQL runs as an unprivileged user that must reach the data folder.
  await chmod(scratch, 0o755);
  const ports = await distinctFreePorts();
  const env = launcherEnv(scratch, ports);
  let launcher: Launcher | undefined;
  try {
    // --- first start, on nothing -------------------------------------------------------
    launcher = new Launcher(env);
    const firstStart = await launcher.ready();
    t.diagnostic(`first start: ${firstStart.toFixed(1)} s`);

    // The env file was created from .env.example with generated secrets, readable by its owner only.
    const envFile = path.join(scratch, 'env');
    assert.equal((await stat(envFile)).mode & 0o777, 0o600);
    const envText = await readFile(envFile, 'utf8');
    const written = parseEnv(envText);
    assert.ok((written.JWT_SECRET ?? '').length >= 32 && !written.JWT_SECRET?.includes('GENERATED'), 'JWT_SECRET is generated');
    assert.match(written.PAYLOAD_ENCRYPTION_KEYS ?? '', /^local-1:[A-Za-z0-9+/]{43}=$/);
    assert.equal(written.PAYLOAD_ENCRYPTION_KEY_ID, 'local-1');
    assert.match(written.CREDENTIAL_ENCRYPTION_KEYS ?? '', /^local-1:[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(written.CREDENTIAL_ENCRYPTION_KEYS, written.PAYLOAD_ENCRYPTION_KEYS, 'each ring gets its own key');
    const superAdmin = { email: written.SUPERADMIN_EMAIL ?? '', password: written.SUPERADMIN_PASSWORD ?? '' };
    assert.equal(superAdmin.email, 'superadmin@clinicflow.test');

    // What the banner says, and that it says no secret.
    const printed = launcher.output.join('\n');
    assert.equal(launcher.bannerValue('API'), `http://localhost:${ports.api}/api/v1`);
    assert.equal(launcher.bannerValue('Temporal Web UI'), `http://localhost:${ports.temporalUi}`);
    assert.equal(launcher.bannerValue('Mail inbox'), `http://localhost:${ports.inboxWeb}`);
    for (const secret of [written.JWT_SECRET, written.PAYLOAD_ENCRYPTION_KEYS?.split(':')[1], written.CREDENTIAL_ENCRYPTION_KEYS?.split(':')[1], superAdmin.password, written.DEMO_STAFF_PASSWORD, 'postgres:postgres@']) {
      assert.ok(secret && !printed.includes(secret), 'the launcher printed a secret');
    }
    for (const staff of DEMO_STAFF) assert.ok(printed.includes(staff.email), `the banner lists ${staff.email}`);

    const readyz = await fetch(`http://127.0.0.1:${ports.api}/readyz`);
    assert.equal(readyz.status, 200, `/readyz: ${await readyz.text()}`);
    const firstToken = await login(ports.api, superAdmin.email, superAdmin.password);

    const ui = await fetch(`http://127.0.0.1:${ports.temporalUi}/`);
    assert.ok(ui.status < 500, `Temporal Web UI answered ${ui.status}`);

    // The mail inbox answers, and the demo clinic's email goes to it (password sealed, shown masked).
    const inboxPage = await fetch(`http://localhost:${ports.inboxWeb}/`);
    assert.equal(inboxPage.status, 200);
    assert.match(await inboxPage.text(), /Mail inbox/);
    const email = await fetch(`http://127.0.0.1:${ports.api}/api/v1/clinics/${DEMO_CLINIC_ID}/communication/email`, {
      headers: { authorization: `Bearer ${firstToken}`, 'x-clinic-id': DEMO_CLINIC_ID },
    });
    assert.equal(email.status, 200, `GET the demo clinic's email configuration: ${await email.clone().text()}`);
    const emailConfig = channelConfigSchema.parse(await email.json());
    assert.equal(emailConfig.configured, true);
    const [smtp] = emailConfig.providers;
    assert.equal(smtp?.provider, 'smtp');
    assert.equal(smtp.credentials.host, '127.0.0.1');
    assert.equal(smtp.credentials.port, ports.inboxSmtp);
    assert.match(String(smtp.credentials.password), /^\*{4}/, 'the password is masked');

    const temporalAddress = launcher.bannerValue('Temporal gRPC')?.split(' ')[0] ?? '';
    assert.equal(temporalAddress, `127.0.0.1:${ports.temporal}`);
    // A workflow nobody works on stays open: after a restart it shows the state was kept.
    const probeId = `stack-test-${randomUUID()}`;
    await withTemporal(temporalAddress, async (client) => {
      await eventually('the licensing-daily Schedule to be listed', async () => {
        for await (const schedule of client.schedule.list()) if (schedule.scheduleId === 'licensing-daily') return true;
        return undefined;
      });
      await client.workflow.start('stackTestProbe', { workflowId: probeId, taskQueue: 'stack-test-nobody-polls', args: [] });
    });

    await followAnAppointment(ports, firstToken, temporalAddress);
    await remindThoseWhoOwe(ports, firstToken, temporalAddress, env);
    assert.match(await readFile(path.join(scratch, 'env'), 'utf8'), /^STRIPE_WEBHOOK_SECRET=whsec_\w+$/m, 'a webhook signing secret was generated');

    // --- Ctrl-C ------------------------------------------------------------------------
    assert.equal(await launcher.interrupt(), 0, 'the launcher exits 0 after Ctrl-C');
    await assertAllPortsClosed(ports);

    // --- second start, on the same data ------------------------------------------------
    launcher = new Launcher(env);
    const secondStart = await launcher.ready();
    t.diagnostic(`second start: ${secondStart.toFixed(1)} s`);
    assert.equal(await readFile(envFile, 'utf8'), envText, 'the env file is reused as it is');
    assert.ok(launcher.output.some((l) => l.includes('already there')), 'the seed found its rows');

    const token = await login(ports.api, superAdmin.email, superAdmin.password);
    const clinic = await fetch(`http://127.0.0.1:${ports.api}/api/v1/clinics/${DEMO_CLINIC_ID}`, {
      headers: { authorization: `Bearer ${token}`, 'x-clinic-id': DEMO_CLINIC_ID },
    });
    assert.equal(clinic.status, 200, `GET the demo clinic: ${await clinic.clone().text()}`);
    assert.equal(z.looseObject({ name: z.string() }).parse(await clinic.json()).name, 'Sunrise Therapy Centre');
    assert.deepEqual(await rowCounts(ports.pg), { clinics: 1, staff: 1 + DEMO_STAFF.length, demoClinic: 1 });

    await withTemporal(temporalAddress, async (client) => {
      const described = await client.workflow.getHandle(probeId).describe();
      assert.equal(described.status.name, 'RUNNING');
    });

    assert.equal(await launcher.interrupt(), 0);
    await assertAllPortsClosed(ports);
  } catch (err) {
    // The launcher's own account is what explains a failure here.
    console.error(`--- launcher output ---\n${launcher?.output.join('\n') ?? ''}\n--- end ---`);
    throw err;
  } finally {
    if (launcher?.running) await launcher.interrupt().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
  }
});
