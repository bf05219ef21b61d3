/**
 * The appointment lifecycle on Temporal's time-skipping test server (test/support/lifecycle.ts:
 * real activities, PostgreSQL and SMTP deliveries): reminders at the clinic's offsets, reschedule,
 * cancel, no-show, check-in and completion with a follow-up. Steering without timers (refusals,
 * taken times, continue-as-new) is in appointment-steering.workflow.test.ts, on the real dev server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appointmentUpdates, type AppointmentOutcome } from '../../domain/appointment-workflow';
import { HOUR, PATIENT_EMAIL, useLifecycleFixture } from '../../test/support/lifecycle';

const f = useLifecycleFixture();
const book = (hoursAhead: number, minutes?: number) => f.book(hoursAhead, minutes);

/** Runs the workflow to its end, letting the test server skip its timers. */
const finish = (workflowId: string): Promise<AppointmentOutcome> => f.env.client.workflow.getHandle(workflowId).result();

/** Emails about one appointment's time that reached the SMTP server. */
function emailsFor(reservationDate: Date, subjects: RegExp, count: number, to = PATIENT_EMAIL) {
  const date = reservationDate.toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
  const time = reservationDate.toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });
  return f.emails((m) => !!m.to?.some((t) => t.address === to) && subjects.test(m.subject ?? '') && (m.text ?? '').includes(date) && (m.text ?? '').includes(time), count);
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
    const row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.equal(row.status, 'NO_SHOW');
    const late = (row.noShowAt?.getTime() ?? 0) - (start + 15 * 60_000);
    assert.ok(late >= 0 && late < 60_000, 'marked when the 15-minute grace ran out');

    assert.equal((await emailsFor(startsAt, /is booked/, 1)).length, 1, 'the booking confirmation');
    assert.equal((await emailsFor(startsAt, /^Reminder/, 2)).length, 2, 'two reminders, no more');
    assert.equal((await emailsFor(startsAt, /^No-show/, 1, f.practitioner.email)).length, 1, 'the practitioner is told');
  });

  test('a reschedule re-plans the reminders for the new time; the old time gets none', async () => {
    const { id, startsAt, handle } = await book(100);
    const moved = new Date(startsAt.getTime() + 48 * HOUR);
    const answer = await handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: moved.toISOString() }] });
    assert.deepEqual(answer, { status: 'SCHEDULED', startsAt: moved.toISOString(), endsAt: new Date(moved.getTime() + 50 * 60_000).toISOString() });
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } })).startsAt, moved);

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
    const row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
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
    const row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.ok(row.checkedInAt && row.startedAt && row.completedAt && !row.noShowAt);
    assert.deepEqual([row.followUpRequired, row.followUpDate?.toISOString().slice(0, 10), row.notes], [true, followUpDate, 'Review in a month']);
    const followUp = await f.emails((m) => !!m.to?.some((t) => t.address === PATIENT_EMAIL) && (m.text ?? '').includes(`due around ${followUpDate}`), 1);
    assert.equal(followUp.length, 1, 'the follow-up reminder arrived');
  });
});
