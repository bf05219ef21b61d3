/**
 * Monthly payment reminders through the real API: a clinic's notification settings and the Temporal
 * Schedule they keep in line, an admin's run on a real worker that e-mails each patient with dues
 * through a local SMTP server, the public pay link (stripe-mock behind stripe-node), and the chase
 * of a balance that a recorded payment settles.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import Stripe from 'stripe';
import { payToken } from '../../activities/payments/pay-links';
import { reminderMonth } from '../../domain/payment-reminders';
import { type PaymentReminderSettings } from '../../domain/payment-reminder-settings';
import { SCHEDULE_IDS, workflowIds } from '../../domain/temporal';
import { type SmtpPeer, startSmtpPeer } from '../../test/fakes/smtp-peer';
import { type Actor, actor, bearer, createClinic, PASSWORD, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { startStripeMock, type StripeMock } from '../../test/support/stripe-mock';
import { startTestWorker, type TestWorker } from '../../test/support/worker';
import { eventually } from '../../test/support/eventually';

const SMTP_ACCOUNT = { username: 'harbour-desk', password: 'harbour-smtp-password-1' };
const STRIPE_WEBHOOK_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;

interface SettingsBody {
  paymentReminders: PaymentReminderSettings;
  schedule: { id: string; timezone: string; paused: boolean; nextRunsAt: string[] };
}
interface RunBody {
  id: string;
  month: string;
  workflowId: string;
  trigger: 'SCHEDULE' | 'MANUAL';
  finishedAt: string | null;
  counts: { found: number; reminded: number; suppressed: number; failed: number; pending: number; settled: number };
}

let api: TestApi;
let smtp: SmtpPeer;
let mock: StripeMock;
let worker: TestWorker;
let superAdmin: Actor;
/** Every clinic a test made: its Schedule and open chases are removed afterwards, so no later test file meets them. */
const clinicIds: string[] = [];

before(async () => {
  [smtp, mock] = await Promise.all([startSmtpPeer(SMTP_ACCOUNT), startStripeMock()]);
  api = await startTestApi({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET, PROVIDER_ENDPOINTS: JSON.stringify({ stripe: mock.url }) });
  worker = await startTestWorker(api, { smtp: smtp.url });
  superAdmin = await actor(api, 'SUPER_ADMIN', null);
});

after(async () => {
  if (api) {
    const reminders = await api.db.prisma.paymentReminder.findMany({ where: { clinicId: { in: clinicIds } }, include: { run: true } });
    await Promise.all([
      ...clinicIds.map((id) => api.temporal.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(id)).delete().catch(() => undefined)),
      ...reminders.map((r) =>
        api.temporal.client.workflow
          .getHandle(workflowIds.paymentBalance(r.clinicId, r.run.month, r.patientId))
          .terminate('test done')
          .catch(() => undefined),
      ),
    ]);
  }
  await worker?.stop();
  await api?.close();
  await Promise.all([smtp?.stop(), mock?.stop()]);
});

const settingsPath = (clinicId: string) => `/api/v1/clinics/${clinicId}/notification-settings`;
const runPath = (clinicId: string) => `/api/v1/clinics/${clinicId}/payment-reminders/run`;
const runsPath = (clinicId: string) => `/api/v1/clinics/${clinicId}/payment-reminders/runs`;
const putSettings = (who: Actor, clinicId: string, paymentReminders: object) => api.http.put(settingsPath(clinicId)).set(bearer(who)).send({ paymentReminders });
const describeSchedule = (clinicId: string) => api.temporal.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(clinicId)).describe();

/** A clinic made directly in the database, as older clinics were: no Schedule until its settings are saved. */
async function clinicWithAdmin(timezone: string) {
  const clinic = await createClinic(api, { tier: 'L', timezone });
  clinicIds.push(clinic.id);
  return { clinicId: clinic.id, admin: await actor(api, 'CLINIC_ADMIN', clinic.id) };
}

/** Day of month and hour of an instant on the clinic's wall clock. */
function wallClock(iso: string, timeZone: string): { day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { day: part('day'), hour: part('hour'), minute: part('minute') };
}

/** The Schedule's one calendar as plain numbers: day of month, hour, minute. */
async function scheduledAt(clinicId: string) {
  const d = await describeSchedule(clinicId);
  assert.equal(d.spec.calendars?.length, 1);
  const c = d.spec.calendars[0]!;
  const only = (ranges: { start: number; end: number }[]) => {
    assert.equal(ranges.length, 1);
    assert.equal(ranges[0]!.end, ranges[0]!.start);
    return ranges[0]!.start;
  };
  return { dayOfMonth: only(c.dayOfMonth), hour: only(c.hour), minute: only(c.minute), timezone: d.spec.timezone, paused: d.state.paused, createdAt: d.info.createdAt };
}


async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('notification settings and the Schedule', () => {
  test('a clinic that never saved settings gets the defaults (SMS on the 15th at 09:00, follow-ups after 7 and 14 days, final notice after 21), scheduled in its own time zone since it was created', async () => {
    const u = randomUUID().slice(0, 8);
    const created = await api.http
      .post('/api/v1/clinics')
      .set(bearer(superAdmin))
      .send({ name: `Bayside ${u}`, timezone: 'America/New_York', licenseTier: 'S', admin: { email: `admin-${u}@bayside.test`, password: PASSWORD, firstName: 'Bea', lastName: 'Side' } })
      .expect(201);
    const clinicId = (created.body as { id: string }).id;
    clinicIds.push(clinicId);
    const admin = await actor(api, 'CLINIC_ADMIN', clinicId);

    const body = (await api.http.get(settingsPath(clinicId)).set(bearer(admin)).expect(200)).body as SettingsBody;
    assert.deepEqual(body.paymentReminders, { enabled: true, dayOfMonth: 15, hour: 9, channels: ['sms'], template: 'payment-reminder', followUpDays: [7, 14], finalNoticeDays: 21 });
    assert.deepEqual([body.schedule.id, body.schedule.timezone, body.schedule.paused], [`payment-reminders/${clinicId}`, 'America/New_York', false]);
    assert.ok(body.schedule.nextRunsAt.length > 0);
    for (const at of body.schedule.nextRunsAt) assert.deepEqual(wallClock(at, 'America/New_York'), { day: 15, hour: 9, minute: 0 }, at);
    const s = await scheduledAt(clinicId);
    assert.deepEqual([s.dayOfMonth, s.hour, s.minute, s.timezone, s.paused], [15, 9, 0, 'America/New_York', false]);
  });

  test('saving the settings creates the clinic’s Schedule on its day and hour in its time zone, stores them and audits the change', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Asia/Kolkata');
    await assert.rejects(describeSchedule(clinicId), ScheduleNotFoundError);

    const res = await putSettings(admin, clinicId, { dayOfMonth: 3, hour: 18, channels: ['email', 'sms'] }).expect(200);
    const body = res.body as SettingsBody;
    const saved = { enabled: true, dayOfMonth: 3, hour: 18, channels: ['email', 'sms'], template: 'payment-reminder', followUpDays: [7, 14], finalNoticeDays: 21 };
    assert.deepEqual(body.paymentReminders, saved);
    assert.deepEqual([body.schedule.timezone, body.schedule.paused], ['Asia/Kolkata', false]);
    for (const at of body.schedule.nextRunsAt) assert.deepEqual(wallClock(at, 'Asia/Kolkata'), { day: 3, hour: 18, minute: 0 }, at);

    const s = await scheduledAt(clinicId);
    assert.deepEqual([s.dayOfMonth, s.hour, s.minute, s.timezone, s.paused], [3, 18, 0, 'Asia/Kolkata', false]);
    const clinic = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } });
    assert.deepEqual((clinic.settings as { paymentReminders: unknown }).paymentReminders, saved);
    assert.deepEqual(((await api.http.get(settingsPath(clinicId)).set(bearer(admin)).expect(200)).body as SettingsBody).paymentReminders, saved);

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'clinic.notification-settings', entityId: clinicId } });
    assert.deepEqual([audit.actorId, audit.clinicId, audit.entityType], [admin.id, clinicId, 'Clinic']);
    const changes = audit.changes as { before: { paymentReminders: PaymentReminderSettings }; after: { paymentReminders: PaymentReminderSettings } };
    assert.deepEqual([changes.before.paymentReminders.dayOfMonth, changes.after.paymentReminders.dayOfMonth], [15, 3]);
  });

  test('a new day and hour move the same Schedule; switching reminders off pauses it and on again resumes it', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Europe/Berlin');
    await putSettings(admin, clinicId, { dayOfMonth: 1, hour: 8 }).expect(200);
    const first = await scheduledAt(clinicId);

    await putSettings(admin, clinicId, { dayOfMonth: 28, hour: 23 }).expect(200);
    const moved = await scheduledAt(clinicId);
    assert.deepEqual([moved.dayOfMonth, moved.hour, moved.timezone, moved.paused], [28, 23, 'Europe/Berlin', false]);
    assert.equal(moved.createdAt.getTime(), first.createdAt.getTime(), 'updated in place, not created anew');

    const off = (await putSettings(admin, clinicId, { enabled: false, dayOfMonth: 28, hour: 23 }).expect(200)).body as SettingsBody;
    assert.deepEqual([off.paymentReminders.enabled, off.schedule.paused], [false, true]);
    const paused = await scheduledAt(clinicId);
    assert.deepEqual([paused.paused, paused.dayOfMonth, paused.hour], [true, 28, 23]);

    await putSettings(admin, clinicId, { enabled: true, dayOfMonth: 28, hour: 23 }).expect(200);
    assert.equal((await scheduledAt(clinicId)).paused, false);
  });

  test('a new time zone for the clinic moves its Schedule with it', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Europe/London');
    await putSettings(admin, clinicId, { dayOfMonth: 5, hour: 10 }).expect(200);
    await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ timezone: 'Australia/Sydney' }).expect(200);
    const s = await scheduledAt(clinicId);
    assert.deepEqual([s.dayOfMonth, s.hour, s.timezone], [5, 10, 'Australia/Sydney']);
    const body = (await api.http.get(settingsPath(clinicId)).set(bearer(admin)).expect(200)).body as SettingsBody;
    for (const at of body.schedule.nextRunsAt) assert.deepEqual(wallClock(at, 'Australia/Sydney'), { day: 5, hour: 10, minute: 0 }, at);
  });

  // PATCH /clinics/:id changes only the settings groups it is given.
  test('changing the clinic’s other settings keeps its payment-reminder settings and leaves a paused Schedule paused', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Europe/London');
    const saved = (await putSettings(admin, clinicId, { enabled: false, dayOfMonth: 5, hour: 10, channels: ['email'] }).expect(200)).body as SettingsBody;
    await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { appointments: { noShowGraceMinutes: 20 } } }).expect(200);
    const body = (await api.http.get(settingsPath(clinicId)).set(bearer(admin)).expect(200)).body as SettingsBody;
    assert.deepEqual(body.paymentReminders, saved.paymentReminders);
    const s = await scheduledAt(clinicId);
    assert.deepEqual([s.paused, s.dayOfMonth, s.hour], [true, 5, 10]);
  });

  test('invalid settings answer 400 naming each field, and neither the settings, the Schedule nor the audit trail change', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Europe/London');
    await putSettings(admin, clinicId, { dayOfMonth: 10, hour: 7, channels: ['email'] }).expect(200);
    const clinicBefore = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } });
    const scheduleBefore = await scheduledAt(clinicId);
    const auditBefore = await api.db.prisma.auditLog.count({ where: { clinicId } });

    const cases: Array<[string, object, string[]]> = [
      ['the 29th, which not every month has', { paymentReminders: { dayOfMonth: 29 } }, ['body.paymentReminders.dayOfMonth']],
      ['hour 24', { paymentReminders: { hour: 24 } }, ['body.paymentReminders.hour']],
      ['follow-ups out of order', { paymentReminders: { followUpDays: [14, 7] } }, ['body.paymentReminders.followUpDays']],
      ['a final notice before the last follow-up', { paymentReminders: { followUpDays: [7, 14], finalNoticeDays: 10 } }, ['body.paymentReminders.followUpDays']],
      ['an unknown channel', { paymentReminders: { channels: ['email', 'pigeon'] } }, ['body.paymentReminders.channels.1']],
      ['several at once', { paymentReminders: { dayOfMonth: 0, hour: -1 } }, ['body.paymentReminders.dayOfMonth', 'body.paymentReminders.hour']],
      ['an unknown section', { paymentReminders: {}, smsReminders: { enabled: true } }, ['body']],
    ];
    for (const [what, body, paths] of cases) {
      const err = expectError(await api.http.put(settingsPath(clinicId)).set(bearer(admin)).send(body), 400, 'VALIDATION_ERROR');
      assert.deepEqual(detailPaths(err), paths, what);
    }

    assert.deepEqual(await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } }), clinicBefore);
    assert.deepEqual(await scheduledAt(clinicId), scheduleBefore);
    assert.equal(await api.db.prisma.auditLog.count({ where: { clinicId } }), auditBefore);
  });

  test('a misspelt field inside paymentReminders is refused, not silently replaced by its default', async () => {
    const { clinicId, admin } = await clinicWithAdmin('Europe/London');
    const err = expectError(await putSettings(admin, clinicId, { dayOfMonth: 5, hours: 7 }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(err), ['body.paymentReminders']);
    await assert.rejects(describeSchedule(clinicId), ScheduleNotFoundError);
  });

  test('receptionists and accountants may neither read nor change the settings; accountants see the runs but may not start one', async () => {
    const { clinicId } = await clinicWithAdmin('Europe/London');
    for (const role of ['RECEPTIONIST', 'ACCOUNTANT'] as const) {
      const who = await actor(api, role, clinicId);
      expectError(await api.http.get(settingsPath(clinicId)).set(bearer(who)), 403, 'FORBIDDEN');
      expectError(await putSettings(who, clinicId, { dayOfMonth: 2 }), 403, 'FORBIDDEN');
      expectError(await api.http.post(runPath(clinicId)).set(bearer(who)), 403, 'FORBIDDEN');
    }
    const accountant = await actor(api, 'ACCOUNTANT', clinicId);
    assert.deepEqual((await api.http.get(runsPath(clinicId)).set(bearer(accountant)).expect(200)).body, []);
    await assert.rejects(describeSchedule(clinicId), ScheduleNotFoundError);
    assert.equal(await api.db.prisma.paymentReminderRun.count({ where: { clinicId } }), 0);
  });
});

describe("an admin's run of this month's reminders", () => {
  let hour = 0;

  /** A completed (or still scheduled) session of the patient's, priced. */
  const session = (clinicId: string, practitionerId: string, patientId: string, price: string, status: 'COMPLETED' | 'SCHEDULED' = 'COMPLETED') => {
    const startsAt = new Date(Date.UTC(2026, 0, 5, 8) + ++hour * 3_600_000);
    return insertAppointment(api, { clinicId, patientId, practitionerId, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(), status, price });
  };

  /**
   * A clinic in GBP that e-mails its reminders through its own SMTP account, with patients who owe
   * 72.40 and 45.50, one who paid everything and one whose session is still to come.
   */
  async function harbourClinic() {
    const { clinicId, admin } = await clinicWithAdmin('Europe/London');
    await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { currency: 'GBP', name: `Harbour ${clinicId.slice(0, 8)}` } });
    await api.http
      .put(`/api/v1/clinics/${clinicId}/communication/email`)
      .set(bearer(admin))
      .send({ providers: [{ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, ...SMTP_ACCOUNT, fromAddress: 'desk@harbour.test' } }], settings: { retryAttempts: 1 } })
      .expect(200);
    await putSettings(admin, clinicId, { channels: ['email'] }).expect(200);
    const accountant = await actor(api, 'ACCOUNTANT', clinicId);
    const therapist = await api.db.prisma.staffUser.create({ data: { clinicId, email: `therapist-${clinicId}@harbour.test`, passwordHash: 'x', firstName: 'Tess', lastName: 'Ng', role: 'THERAPIST' } });
    const priced = (patientId: string, price: string, status?: 'COMPLETED' | 'SCHEDULED') => session(clinicId, therapist.id, patientId, price, status);
    const patient = async () => {
      const p = await createPatient(api, clinicId);
      return api.db.prisma.patient.update({ where: { id: p.id }, data: { email: `${p.barcode.toLowerCase()}@patients.test` } });
    };
    const [owesMore, owesLess, paidUp, upcoming] = [await patient(), await patient(), await patient(), await patient()];
    await priced(owesMore.id, '72.40');
    await priced(owesLess.id, '30.00');
    await priced(owesLess.id, '15.50');
    const paidSession = await priced(paidUp.id, '20.00');
    await api.http.post('/api/v1/payments').set(bearer(accountant)).set('Idempotency-Key', randomUUID()).send({ patientId: paidUp.id, appointmentId: paidSession.id, amount: '20.00', method: 'CASH' }).expect(201);
    await priced(upcoming.id, '50.00', 'SCHEDULED');
    return { clinicId, admin, accountant, owesMore, owesLess, paidUp, upcoming };
  }
  type Harbour = Awaited<ReturnType<typeof harbourClinic>>;

  // The balance e-mails only: a patient who paid also has the payment's receipt in their inbox.
  const mailsTo = (address: string | null) => smtp.received.filter((m) => m.to?.some((t) => t.address === address) && !m.subject?.startsWith('Receipt '));
  const payLinkIn = (text: string | undefined) => {
    const found = /(https?:\/\/\S+\/api\/v1\/pay\/\S+)/.exec(text ?? '');
    assert.ok(found, `a pay link in: ${text}`);
    return new URL(found[1]!).pathname;
  };

  /** Starts the run as the clinic's admin and waits until it and every reminder's delivery have finished. */
  async function runNow(h: Harbour) {
    const res = await api.http.post(runPath(h.clinicId)).set(bearer(h.admin)).expect(202);
    const started = res.body as { id: string; month: string; workflowId: string };
    const result = (await within(20_000, 'the run', api.temporal.client.workflow.getHandle(started.workflowId).result())) as { reminders: number };
    const reminders = await eventually('every reminder written', async () => {
      const rows = await api.db.prisma.paymentReminder.findMany({ where: { clinicId: h.clinicId }, orderBy: { patientId: 'asc' } });
      return rows.every((r) => r.messageId) ? rows : undefined;
    });
    // The message row comes first; its delivery workflow is started by the chase just after.
    const deliveries = reminders.map((r) => api.temporal.client.workflow.getHandle(workflowIds.messageDelivery(h.clinicId, r.messageId!)));
    await eventually('every delivery started', async () => ((await Promise.all(deliveries.map((d) => d.describe().then(() => true, () => false)))).every(Boolean) ? true : undefined));
    await within(20_000, 'the reminders’ deliveries', Promise.all(deliveries.map((d) => d.result())));
    return { ...started, result, reminders };
  }

  test('each patient with dues gets exactly one e-mail with the amount and a pay link; the others get none; a second run this month is 409 ALREADY_RUN', async () => {
    const h = await harbourClinic();
    const month = reminderMonth(new Date(), 'Europe/London');
    const run = await runNow(h);
    assert.deepEqual([run.month, run.workflowId], [month, `payment-reminders/${h.clinicId}/${month}`]);
    assert.deepEqual(run.result, { reminders: 2 });
    assert.deepEqual(
      run.reminders.map((r) => [r.patientId, r.amount.toFixed(2), r.currency, r.status]).sort(),
      [
        [h.owesMore.id, '72.40', 'GBP', 'OPEN'],
        [h.owesLess.id, '45.50', 'GBP', 'OPEN'],
      ].sort(),
    );

    for (const [patient, amount] of [
      [h.owesMore, '72.40'],
      [h.owesLess, '45.50'],
    ] as const) {
      const mails = mailsTo(patient.email);
      assert.equal(mails.length, 1, `${amount}: ${mails.map((m) => m.subject).join(', ')}`);
      assert.match(mails[0]!.text ?? '', new RegExp(`outstanding balance of ${amount.replace('.', '\\.')} GBP`));
      assert.match(payLinkIn(mails[0]!.text), /^\/api\/v1\/pay\/[\w-]+\.[\w-]+$/);
      assert.equal(mails[0]!.from?.address, 'desk@harbour.test');
    }
    assert.deepEqual([mailsTo(h.paidUp.email).length, mailsTo(h.upcoming.email).length], [0, 0]);

    const row = await api.db.prisma.paymentReminderRun.findUniqueOrThrow({ where: { id: run.id } });
    assert.deepEqual([row.trigger, row.triggeredById, row.month], ['MANUAL', h.admin.id, month]);
    assert.ok(row.finishedAt);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'payment-reminders.run', entityId: run.id } });
    assert.deepEqual([audit.actorId, audit.clinicId], [h.admin.id, h.clinicId]);

    const again = expectError(await api.http.post(runPath(h.clinicId)).set(bearer(h.admin)), 409, 'ALREADY_RUN');
    assert.match(again.message, new RegExp(run.workflowId));
    assert.equal(await api.db.prisma.paymentReminderRun.count({ where: { clinicId: h.clinicId } }), 1);
  });

  test('the runs list shows the manual run with the patients found and, once delivered, as many reminded', async () => {
    const h = await harbourClinic();
    const run = await runNow(h);
    const listed = await eventually('the deliveries counted', async () => {
      const runs = (await api.http.get(runsPath(h.clinicId)).set(bearer(h.accountant)).expect(200)).body as RunBody[];
      return runs[0]?.counts.reminded === 2 ? runs : undefined;
    });
    assert.equal(listed.length, 1);
    const [r] = listed;
    assert.deepEqual([r!.id, r!.month, r!.workflowId, r!.trigger], [run.id, run.month, run.workflowId, 'MANUAL']);
    assert.ok(r!.finishedAt);
    assert.deepEqual(r!.counts, { found: 2, reminded: 2, suppressed: 0, failed: 0, pending: 0, settled: 0 });
  });

  test('the pay link in the e-mail opens Stripe Checkout without signing in; a tampered or foreign link is 404; once everything is paid it says nothing is owed', async () => {
    const h = await harbourClinic();
    await runNow(h);
    const link = payLinkIn(mailsTo(h.owesMore.email)[0]?.text);

    const opened = await api.http.get(link).redirects(0);
    assert.equal(opened.status, 303, JSON.stringify(opened.body));
    assert.match(opened.headers.location ?? '', /^https:\/\/checkout\.stripe\.com\//);

    const [id, signature] = link.slice('/api/v1/pay/'.length).split('.') as [string, string];
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expectError(await api.http.get(`/api/v1/pay/${id}.${flipped}`).redirects(0), 404, 'NOT_FOUND');
    expectError(await api.http.get(`/api/v1/pay/${payToken('another-secret-0123456789abcdef', Buffer.from(id, 'base64url').toString())}`).redirects(0), 404, 'NOT_FOUND');
    expectError(await api.http.get(`/api/v1/pay/${payToken(api.config.JWT_SECRET, randomUUID())}`).redirects(0), 404, 'NOT_FOUND');

    await api.http.post('/api/v1/payments').set(bearer(h.accountant)).set('Idempotency-Key', randomUUID()).send({ patientId: h.owesMore.id, amount: '72.40', method: 'CARD' }).expect(201);
    const settled = await api.http.get(link).redirects(0).expect(200);
    assert.match(settled.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(settled.text, /nothing is owed/);
  });

  test('a recorded payment that clears the balance ends its chase at once: the balance workflow returns SETTLED and the reminder is SETTLED', async () => {
    const h = await harbourClinic();
    const run = await runNow(h);
    const chase = api.temporal.client.workflow.getHandle(workflowIds.paymentBalance(h.clinicId, run.month, h.owesLess.id));
    assert.equal((await chase.describe()).status.name, 'RUNNING');

    // Part of it first: the chase re-reads the balance, and goes on for the rest.
    await api.http.post('/api/v1/payments').set(bearer(h.accountant)).set('Idempotency-Key', randomUUID()).send({ patientId: h.owesLess.id, amount: '30.00', method: 'CASH' }).expect(201);
    await eventually('the chase to re-read the balance and decide', async () => {
      const events = (await chase.fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkPaymentBalance')?.eventId;
      const completed = events.find((e) => scheduled && String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled))?.eventId;
      return completed && events.some((e) => e.workflowTaskCompletedEventAttributes && Number(e.eventId) > Number(completed)) ? true : undefined;
    });
    assert.equal((await chase.describe()).status.name, 'RUNNING');
    assert.equal((await api.db.prisma.paymentReminder.findFirstOrThrow({ where: { clinicId: h.clinicId, patientId: h.owesLess.id } })).status, 'OPEN');

    await api.http.post('/api/v1/payments').set(bearer(h.accountant)).set('Idempotency-Key', randomUUID()).send({ patientId: h.owesLess.id, amount: '15.50', method: 'CASH' }).expect(201);
    assert.deepEqual(await within(10_000, 'the chase', chase.result()), { status: 'SETTLED' });
    const reminder = await api.db.prisma.paymentReminder.findFirstOrThrow({ where: { clinicId: h.clinicId, patientId: h.owesLess.id } });
    assert.equal(reminder.status, 'SETTLED');
    assert.ok(reminder.settledAt);
    // The other patient still owes: their chase is untouched.
    assert.equal((await api.temporal.client.workflow.getHandle(workflowIds.paymentBalance(h.clinicId, run.month, h.owesMore.id)).describe()).status.name, 'RUNNING');
    const [listed] = (await api.http.get(runsPath(h.clinicId)).set(bearer(h.accountant)).expect(200)).body as RunBody[];
    assert.equal(listed?.counts.settled, 1);
  });

  test('a card payment Stripe reports for the whole balance ends the chase too', async () => {
    const h = await harbourClinic();
    const run = await runNow(h);
    const chase = api.temporal.client.workflow.getHandle(workflowIds.paymentBalance(h.clinicId, run.month, h.owesMore.id));
    const id = `evt_${randomUUID().replaceAll('-', '')}`;
    const payload = JSON.stringify({
      id,
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: `cs_test_${id}`, object: 'checkout.session', payment_status: 'paid', amount_total: 7240, currency: 'gbp', metadata: { clinicId: h.clinicId, patientId: h.owesMore.id } } },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET });
    await api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', signature).send(payload).expect(200);
    assert.deepEqual(await within(10_000, 'the chase', chase.result()), { status: 'SETTLED' });
    assert.equal((await api.db.prisma.paymentReminder.findFirstOrThrow({ where: { clinicId: h.clinicId, patientId: h.owesMore.id } })).status, 'SETTLED');
  });
});
