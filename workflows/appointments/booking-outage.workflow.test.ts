/**
 * Only a booking that never committed ends NOT_BOOKED (and only a request that never committed
 * ends WITHDRAWN). On Temporal's time-skipping test server with the real activities over
 * PostgreSQL (test/support/lifecycle.ts), except that for the first minutes of a test the
 * appointment's database is unreachable: the same activities, over a Prisma client whose
 * server does not answer, so they fail as a real outage makes them fail (P1001, retryable).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, beforeEach, describe, test } from 'node:test';
import { activityInfo } from '@temporalio/activity';
import { type Activities } from '../../activities';
import { createAppointmentActivities } from '../../activities/appointments/appointment-activities';
import { createRescheduleRequestActivities } from '../../activities/appointments/reschedule-request-activities';
import { withDatabaseFailures } from '../../activities/database-failures';
import { type AppointmentOutcome } from '../../domain/appointment-workflow';
import { appointmentStart, COMMIT_WINDOW_MS, rescheduleRequestStart } from '../../domain/temporal';
import { createPrismaClient } from '../../prisma/client';
import { HOUR, PATIENT_EMAIL, useLifecycleFixture } from '../../test/support/lifecycle';
import { appointmentWorkflow } from './appointment';
import { rescheduleRequestWorkflow } from './reschedule-request';

const OUTAGE_MS = 10 * 60_000;
/** Nothing listens on port 1: every query fails to connect, as during a database outage. */
const unreachable = createPrismaClient('postgresql://clinicflow:down@127.0.0.1:1/clinicflow', { max: 1 });
after(() => unreachable.$disconnect());

/** Server time (the test server's, which skips) until which the database is down. */
let downUntil = 0;
/** Server times of every load attempt of an appointment or request, and of the successful one. */
let loads: number[] = [];
let loadedAt: number | undefined;

function withOutage(real: Activities): Activities {
  const temporal = undefined as unknown as Parameters<typeof createRescheduleRequestActivities>[0]['temporal'];
  const down = { ...withDatabaseFailures(createAppointmentActivities({ prisma: unreachable })), ...withDatabaseFailures(createRescheduleRequestActivities({ prisma: unreachable, temporal })) };
  const now = () => activityInfo().currentAttemptScheduledTimestampMs;
  const source = () => (now() < downUntil ? down : real);
  const loaded = <T>(value: T): T => {
    loadedAt = now();
    return value;
  };
  return {
    ...real,
    // A local activity too: judged on the workflow's time it passes (`at`).
    loadAppointmentTimeline: async (input) => {
      loads.push(input.at);
      const timeline = await (input.at < downUntil ? down : real).loadAppointmentTimeline(input);
      loadedAt = input.at;
      return timeline;
    },
    loadRescheduleRequest: async (input) => {
      loads.push(now());
      return loaded(await source().loadRescheduleRequest(input));
    },
    // A local activity: its context holds the worker's clock, so the outage is judged on the workflow's time it passes.
    sendAppointmentMessages: async (input) => ((input.atMs ?? now()) < downUntil ? down : real).sendAppointmentMessages(input),
    createRescheduleMessages: async (input) => source().createRescheduleMessages(input),
  };
}

const f = useLifecycleFixture({ activities: withOutage });

beforeEach(() => {
  downUntil = 0;
  loads = [];
  loadedAt = undefined;
});

/** The server's clock now, and the outage from now on. */
async function outageFromNow(): Promise<number> {
  const now = (await f.env.currentTimeMs()) as number;
  downUntil = now + OUTAGE_MS;
  return now;
}

/** Emails to the patient about the appointment at `startsAt` (its local date and time are in the text). */
function emailsAbout(startsAt: Date, subject: RegExp, count: number) {
  const date = startsAt.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const time = startsAt.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
  return f.emails((m) => !!m.to?.some((t) => t.address === PATIENT_EMAIL) && subject.test(m.subject ?? '') && (m.text ?? '').includes(date) && (m.text ?? '').includes(time), count);
}

describe('appointments', () => {
  test('a 10-minute database outage at booking still gives a confirmed appointment with its reminders', async () => {
    const started = await outageFromNow();
    const { id, startsAt, handle } = await f.book(72);
    const outcome: AppointmentOutcome = await f.env.client.workflow.getHandle(handle.workflowId).result();

    assert.equal(outcome.status, 'NO_SHOW', 'the appointment lived its whole life');
    const start = startsAt.getTime();
    assert.deepEqual(outcome.remindersSent.map((r) => [r.offsetMinutes, r.dueAt]), [
      [1440, new Date(start - 24 * HOUR).toISOString()],
      [120, new Date(start - 2 * HOUR).toISOString()],
    ]);
    assert.ok(loads.length > 7, `${loads.length} load attempts: more than the seven the old version gave up after`);
    assert.ok(loadedAt !== undefined && loadedAt >= started + OUTAGE_MS, 'loaded once the database was back');
    assert.equal((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status, 'NO_SHOW');
    assert.equal((await emailsAbout(startsAt, /is booked/, 1)).length, 1, 'the patient got the confirmation, once');
    assert.equal((await emailsAbout(startsAt, /^Reminder/, 2)).length, 2, 'and both reminders');
  });

  test('a booking that never committed ends NOT_BOOKED once the commit window has passed, and sends nothing', async () => {
    const id = randomUUID();
    const handle = await f.client.workflow.start(appointmentWorkflow, appointmentStart(f.clinicId, { id, patientId: f.patientId, status: 'SCHEDULED', startsAt: new Date(Date.now() + 72 * HOUR) }));
    const outcome: AppointmentOutcome = await f.env.client.workflow.getHandle(handle.workflowId).result();
    assert.deepEqual(outcome, { status: 'NOT_BOOKED', remindersSent: [] });
    const { startTime, closeTime } = await handle.describe();
    assert.ok(closeTime && closeTime.getTime() - startTime.getTime() >= COMMIT_WINDOW_MS, 'not before the commit window had passed');
    assert.ok(loads.at(-1)! - startTime.getTime() >= COMMIT_WINDOW_MS, 'the last look for the row was after the window');
    assert.equal(await f.db.prisma.message.count({ where: { metadata: { path: ['appointmentId'], equals: id } } }), 0);
  });

  test('a booking whose commit lands late within the window is booked', async () => {
    const id = randomUUID();
    // Later than the other tests' appointments: each test's server starts its clock afresh.
    const startsAt = new Date(Math.round((((await f.env.currentTimeMs()) as number) + 90 * HOUR) / 60_000) * 60_000);
    const handle = await f.client.workflow.start(appointmentWorkflow, appointmentStart(f.clinicId, { id, patientId: f.patientId, status: 'SCHEDULED', startsAt }));
    // The workflow looks once, finds nothing and waits; then the row commits (the plain client lets real time pass).
    while (loads.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    await f.db.prisma.appointment.create({
      data: { id, clinicId: f.clinicId, reservationId: `APT-${id.slice(0, 8).toUpperCase()}`, patientId: f.patientId, practitionerId: f.practitioner.id, type: 'TREATMENT', bookingMode: 'SPECIFIC_TIME', startsAt, endsAt: new Date(startsAt.getTime() + HOUR), idempotencyKey: id, workflowId: handle.workflowId },
    });
    const outcome: AppointmentOutcome = await f.env.client.workflow.getHandle(handle.workflowId).result();
    assert.equal(outcome.status, 'NO_SHOW');
    assert.equal(outcome.remindersSent.length, 2);
    assert.ok(loads.length >= 2);
  });
});

describe('reschedule requests', () => {
  test('a 10-minute outage when a request is made still asks the admins, and the request lives on to its expiry', async () => {
    const appointment = await f.book(200);
    await outageFromNow();
    loads = [];
    const requestId = randomUUID();
    const row = await f.db.prisma.rescheduleRequest.create({
      data: { id: requestId, clinicId: f.clinicId, appointmentId: appointment.id, therapistId: f.practitioner.id, requestedStartsAt: new Date(appointment.startsAt.getTime() + 4 * HOUR), reason: 'Conference', workflowId: `reschedule/${f.clinicId}/${requestId}` },
    });
    const handle = await f.client.workflow.start(rescheduleRequestWorkflow, rescheduleRequestStart(f.clinicId, row));
    assert.deepEqual(await f.env.client.workflow.getHandle(handle.workflowId).result(), { status: 'EXPIRED' }, 'not WITHDRAWN');
    assert.ok(loads.length > 7, `${loads.length} load attempts`);
    const reservationId = (await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).reservationId;
    const asked = await f.emails((m) => !!m.to?.some((t) => t.address === 'admin@sunrise.test') && /^Reschedule request/.test(m.subject ?? '') && (m.text ?? '').includes(reservationId), 1);
    assert.equal(asked.length, 1, 'the admin was asked once the database was back');
  });

  test('a request that never committed ends WITHDRAWN once the commit window has passed', async () => {
    const requestId = randomUUID();
    const handle = await f.client.workflow.start(rescheduleRequestWorkflow, rescheduleRequestStart(f.clinicId, { id: requestId, appointmentId: randomUUID() }));
    assert.deepEqual(await f.env.client.workflow.getHandle(handle.workflowId).result(), { status: 'WITHDRAWN' });
    const { startTime, closeTime } = await handle.describe();
    assert.ok(closeTime && closeTime.getTime() - startTime.getTime() >= COMMIT_WINDOW_MS);
  });
});
