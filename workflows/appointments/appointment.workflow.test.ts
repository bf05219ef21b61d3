/**
 * The appointment lifecycle on Temporal's time-skipping test server, with the real activities over
 * a real PostgreSQL database and the real delivery workflow sending through nodemailer to a local
 * SMTP server: reminders at the clinic's offsets, reschedule, cancel, no-show, check-in, completion
 * with a follow-up, and refused transitions.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities, createActivities } from '../../activities';
import { ProviderClientCache } from '../../activities/messaging/provider-clients';
import { appointmentUpdates, type AppointmentOutcome } from '../../domain/appointment-workflow';
import { appointmentStart, TASK_QUEUES } from '../../domain/temporal';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type AppointmentStatus } from '../../prisma/generated/client';
import { startSmtpPeer, type SmtpPeer } from '../../test/fakes/smtp-peer';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { bundleWorkflows, createTimeSkippingEnv } from '../../test/support/temporal';
import { appointmentWorkflow } from './appointment';

const HOUR = 3_600_000;
const SMTP = { username: 'desk', password: 'smtp-password-0123' };

let bundle: WorkflowBundleWithSourceMap;
let db: TestDatabase;
let smtp: SmtpPeer;
let clinicId: string;
let practitioner: { id: string; email: string };
let patientId: string;
const clients = new ProviderClientCache();
let activities: Activities;

before(async () => {
  [bundle, db, smtp] = await Promise.all([bundleWorkflows(), createTestDatabase(), startSmtpPeer(SMTP)]);
  const cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
  const email = { providers: [{ provider: 'smtp', credentials: { host: '127.0.0.1', port: smtp.port, secure: false, ...SMTP, fromAddress: 'desk@sunrise.test' } }], settings: {} };
  activities = createActivities({ prisma: db.prisma, cipher, clients, endpoints: {}, globalConfig: { email } });

  const clinic = await db.prisma.clinic.create({
    data: { name: 'Sunrise', timezone: 'Europe/London', licenseTierCode: 'L', settings: { appointments: { reminderChannels: ['email'] } } },
  });
  clinicId = clinic.id;
  practitioner = await db.prisma.staffUser.create({
    data: { clinicId, email: 'therapist@sunrise.test', passwordHash: 'x', firstName: 'Tess', lastName: 'Ng', role: 'THERAPIST' },
  });
  patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'Ana', lastName: 'Diaz', email: 'ana@patients.test', barcode: 'WF-1' } })).id;
  // Round the clock, every day: these tests are about the lifecycle, not about working hours.
  const weekly = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
  await db.prisma.practitionerSchedule.create({ data: { clinicId, practitionerId: practitioner.id, weekly } });
});

after(async () => {
  await clients.closeAll();
  await smtp?.stop();
  await db?.drop();
});

/**
 * Each test gets its own time-skipping server and worker: once abandoned children (the message
 * deliveries) have run, the Java test server stops skipping time for later workflows.
 */
let env: TestWorkflowEnvironment;
/** A plain client: env.client would skip time while waiting for updates, jumping past what a test means to check. */
let client: Client;
let worker: Worker;
let running: Promise<void>;

beforeEach(async () => {
  env = await createTimeSkippingEnv();
  client = new Client({ connection: env.connection, namespace: env.namespace });
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
  running = worker.run();
});

afterEach(async () => {
  worker.shutdown();
  await running;
  await env.teardown();
});

/** Books an appointment `hoursAhead` of the test server's clock, straight into the database, and starts its workflow. */
async function book(hoursAhead: number, minutes = 50) {
  const now = (await env.currentTimeMs()) as number;
  const startsAt = new Date(Math.round((now + hoursAhead * HOUR) / 60_000) * 60_000);
  const id = randomUUID();
  const row = await db.prisma.appointment.create({
    data: {
      id,
      clinicId,
      reservationId: `APT-${id.slice(0, 8).toUpperCase()}`,
      patientId,
      practitionerId: practitioner.id,
      type: 'TREATMENT',
      bookingMode: 'SPECIFIC_TIME',
      startsAt,
      endsAt: new Date(startsAt.getTime() + minutes * 60_000),
      idempotencyKey: id,
      workflowId: `appointment/${clinicId}/${id}`,
    },
  });
  const handle = await client.workflow.start(appointmentWorkflow, appointmentStart(clinicId, row));
  return { id, startsAt, handle };
}

/** Runs the workflow to its end, letting the test server skip its timers. */
const finish = (workflowId: string): Promise<AppointmentOutcome> => env.client.workflow.getHandle(workflowId).result();

const statusOf = async (id: string): Promise<AppointmentStatus> => (await db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status;

/** Emails about one appointment that reached the SMTP server; deliveries run on their own, so wait a little for them. */
async function emailsFor(reservationDate: Date, subjects: RegExp, count: number, to = 'ana@patients.test') {
  const date = reservationDate.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const time = reservationDate.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
  const matching = () => smtp.received.filter((m) => m.to?.some((t) => t.address === to) && subjects.test(m.subject ?? '') && (m.text ?? '').includes(date) && (m.text ?? '').includes(time));
  for (let i = 0; i < 100 && matching().length < count; i++) await sleep(100);
  return matching();
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('reminders and no-shows', () => {
  test('reminders go exactly 24 h and 2 h before; without a check-in the appointment is a no-show after the 15-minute grace', async () => {
    const { id, startsAt, handle } = await book(72);
    const outcome = await finish(handle.workflowId);
    const start = startsAt.getTime();
    assert.equal(outcome.status, 'NO_SHOW');
    assert.deepEqual(
      outcome.remindersSent.map((r) => [r.offsetMinutes, r.dueAt]),
      [
        [1440, iso(start - 24 * HOUR)],
        [120, iso(start - 2 * HOUR)],
      ],
    );
    // The timer fires at the due time; sending follows within the workflow task that handles it.
    for (const r of outcome.remindersSent) assert.ok(Date.parse(r.sentAt) - Date.parse(r.dueAt) < 60_000 && r.sentAt >= r.dueAt, JSON.stringify(r));
    const row = await db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'NO_SHOW');
    const late = (row.noShowAt?.getTime() ?? 0) - (start + 15 * 60_000);
    assert.ok(late >= 0 && late < 60_000, 'marked when the 15-minute grace ran out');

    assert.equal((await emailsFor(startsAt, /is booked/, 1)).length, 1, 'the booking confirmation');
    assert.equal((await emailsFor(startsAt, /^Reminder/, 2)).length, 2, 'two reminders, no more');
    assert.equal((await emailsFor(startsAt, /^No-show/, 1, practitioner.email)).length, 1, 'the practitioner is told');
  });

  test('a reschedule re-plans the reminders for the new time; the old time gets none', async () => {
    const { id, startsAt, handle } = await book(100);
    const moved = new Date(startsAt.getTime() + 48 * HOUR);
    const answer = await handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: moved.toISOString() }] });
    assert.deepEqual(answer, { status: 'SCHEDULED', startsAt: moved.toISOString(), endsAt: new Date(moved.getTime() + 50 * 60_000).toISOString() });
    assert.deepEqual((await db.prisma.appointment.findUniqueOrThrow({ where: { id } })).startsAt, moved);

    const outcome = await finish(handle.workflowId);
    assert.deepEqual(
      outcome.remindersSent.map((r) => r.dueAt),
      [iso(moved.getTime() - 24 * HOUR), iso(moved.getTime() - 2 * HOUR)],
    );
    assert.equal((await emailsFor(moved, /has moved/, 1)).length, 1, 'the patient is told the new time');
    assert.equal((await emailsFor(moved, /^Reminder/, 2)).length, 2);
    assert.equal((await emailsFor(startsAt, /^Reminder/, 0)).length, 0, 'nothing for the old time');
  });

  test('a cancellation sends a notice and stops everything', async () => {
    const { id, startsAt, handle } = await book(200);
    const answer = await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'Patient unwell' }] });
    assert.equal(answer.status, 'CANCELLED');
    assert.deepEqual(await finish(handle.workflowId), { status: 'CANCELLED', remindersSent: [] });
    const row = await db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.cancelReason], ['CANCELLED', 'Patient unwell']);
    assert.equal((await emailsFor(startsAt, /cancelled/, 1)).length, 1);
    assert.equal((await emailsFor(startsAt, /^Reminder/, 0)).length, 0);
  });
});

describe('the visit', () => {
  test('check-in, start and completion with a follow-up: no no-show, and the patient is reminded to book the follow-up', async () => {
    const { id, startsAt, handle } = await book(1);
    for (const update of [appointmentUpdates.checkIn, appointmentUpdates.start] as const) await handle.executeUpdate(update);
    const followUpDate = new Date(startsAt.getTime() + 30 * 24 * HOUR).toISOString().slice(0, 10);
    const done = await handle.executeUpdate(appointmentUpdates.complete, { args: [{ followUpRequired: true, followUpDate, notes: 'Review in a month' }] });
    assert.equal(done.status, 'COMPLETED');

    const outcome = await finish(handle.workflowId);
    assert.deepEqual(outcome, { status: 'COMPLETED', remindersSent: [] }, 'booked an hour ahead: the 24 h and 2 h reminders were already past');
    const row = await db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.ok(row.checkedInAt && row.startedAt && row.completedAt && !row.noShowAt);
    assert.deepEqual([row.followUpRequired, row.followUpDate?.toISOString().slice(0, 10), row.notes], [true, followUpDate, 'Review in a month']);
    const followUp = () => smtp.received.filter((m) => m.to?.some((t) => t.address === 'ana@patients.test') && (m.text ?? '').includes(`due around ${followUpDate}`));
    for (let i = 0; i < 100 && followUp().length === 0; i++) await sleep(100);
    assert.equal(followUp().length, 1, 'the follow-up reminder arrived');
  });

  test('actions that do not fit the state are refused before they touch the history, and change nothing', async () => {
    const { id, handle } = await book(5);
    await handle.executeUpdate(appointmentUpdates.checkIn);
    const refused = (err: unknown) => err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'INVALID_TRANSITION';
    await assert.rejects(handle.executeUpdate(appointmentUpdates.confirm), refused, 'checked in: no confirming');
    await assert.rejects(handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: new Date(Date.now() + 50 * HOUR).toISOString() }] }), refused, 'checked in: no moving');
    assert.equal(await statusOf(id), 'CHECKED_IN');
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    assert.equal(accepted.length, 1, 'only the check-in reached the history');

    const later = await book(8);
    await assert.rejects(later.handle.executeUpdate(appointmentUpdates.noShow), (err: unknown) => refused(err) && /once the appointment has started/.test(String((err as WorkflowUpdateFailedError).cause?.message)));
    for (const h of [handle, later.handle]) await h.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'tidy up' }] });
  });

  test('a reschedule onto a taken time fails with SLOT_TAKEN and the appointment keeps its time', async () => {
    const first = await book(30);
    const second = await book(34);
    await assert.rejects(
      second.handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: new Date(first.startsAt.getTime() + 20 * 60_000).toISOString() }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'SLOT_TAKEN',
    );
    assert.deepEqual((await db.prisma.appointment.findUniqueOrThrow({ where: { id: second.id } })).startsAt, second.startsAt);
    for (const { handle } of [first, second]) await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'tidy up' }] });
  });
});
