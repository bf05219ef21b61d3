/**
 * Reschedule requests next to the appointment workflows they move (test/support/lifecycle.ts: real
 * activities, PostgreSQL and SMTP deliveries): approval, rejection, withdrawal and an approval after
 * the time was taken run on the real dev server (updates, no timers); expiry needs the
 * time-skipping server and has its own fixture below.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { rescheduleRequestUpdates, type RescheduleRequestStatus } from '../../domain/reschedule-requests';
import { rescheduleRequestStart } from '../../domain/temporal';
import { HOUR, type LifecycleFixture, PATIENT_EMAIL, useLifecycleFixture } from '../../test/support/lifecycle';
import { rescheduleRequestWorkflow } from './reschedule-request';

const ADMIN_EMAIL = 'admin@sunrise.test';

/** An appointment `hoursAhead` and the therapist's request to move it by `moveBy` (ms). */
async function requestOn(f: LifecycleFixture, hoursAhead: number, moveBy: number) {
  const appointment = await f.book(hoursAhead);
  const id = randomUUID();
  const row = await f.db.prisma.rescheduleRequest.create({
    data: {
      id,
      clinicId: f.clinicId,
      appointmentId: appointment.id,
      therapistId: f.practitioner.id,
      requestedStartsAt: new Date(appointment.startsAt.getTime() + moveBy),
      reason: 'Conference that day',
      workflowId: `reschedule/${f.clinicId}/${id}`,
    },
  });
  const handle = await f.client.workflow.start(rescheduleRequestWorkflow, rescheduleRequestStart(f.clinicId, row));
  return { appointment, request: row, handle };
}

const mailTo = (to: string, subject: RegExp, reservationId: string) => (m: { to?: Array<{ address: string }>; subject?: string; text?: string }) =>
  !!m.to?.some((t) => t.address === to) && subject.test(m.subject ?? '') && (m.text ?? '').includes(reservationId);

describe('decisions', () => {
  const f = useLifecycleFixture({ timeSkipping: false });
  const request = (hoursAhead: number, moveBy: number) => requestOn(f, hoursAhead, moveBy);
  const stored = async (id: string): Promise<RescheduleRequestStatus> => (await f.db.prisma.rescheduleRequest.findUniqueOrThrow({ where: { id } })).status;

  test('approval moves the appointment through its workflow; admins were asked, the therapist and the patient are told', async () => {
    const { appointment, request: r, handle } = await request(96, 24 * HOUR);
    const row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } });
    assert.equal((await f.emails(mailTo(ADMIN_EMAIL, /^Reschedule request/, row.reservationId), 1)).length, 1, 'the admin is asked');

    const answer = await handle.executeUpdate(rescheduleRequestUpdates.approve, { args: [{ byId: f.practitioner.id, notes: 'Fine' }] });
    assert.equal(answer.status, 'APPROVED');
    assert.deepEqual(await handle.result(), { status: 'APPROVED' });
    const moved = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } });
    assert.deepEqual([moved.startsAt, moved.status], [r.requestedStartsAt, 'SCHEDULED']);
    const decided = await f.db.prisma.rescheduleRequest.findUniqueOrThrow({ where: { id: r.id } });
    assert.deepEqual([decided.status, decided.decisionNotes], ['APPROVED', 'Fine']);
    assert.equal((await f.emails(mailTo(f.practitioner.email, /was approved/, row.reservationId), 1)).length, 1);
    assert.equal((await f.emails((m) => !!m.to?.some((t) => t.address === PATIENT_EMAIL) && /has moved/.test(m.subject ?? ''), 1)).length >= 1, true, 'the patient hears of the new time');
    await assert.rejects(handle.executeUpdate(rescheduleRequestUpdates.reject, { args: [{ byId: f.practitioner.id, notes: 'late' }] }), 'decided requests take no other decision');
  });

  test('rejection leaves the appointment where it was and tells the therapist', async () => {
    const { appointment, request: r, handle } = await request(130, 2 * HOUR);
    await handle.executeUpdate(rescheduleRequestUpdates.reject, { args: [{ byId: f.practitioner.id, notes: 'Fully booked that week' }] });
    assert.deepEqual(await handle.result(), { status: 'REJECTED' });
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt, appointment.startsAt);
    const reservation = (await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).reservationId;
    assert.equal((await f.emails(mailTo(f.practitioner.email, /was rejected/, reservation), 1)).length, 1);
    assert.equal(await stored(r.id), 'REJECTED');
  });

  test('a withdrawn request ends without a decision', async () => {
    const { request: r, handle } = await request(150, 3 * HOUR);
    await handle.executeUpdate(rescheduleRequestUpdates.withdraw, { args: [{ byId: f.practitioner.id }] });
    assert.deepEqual(await handle.result(), { status: 'WITHDRAWN' });
    assert.equal(await stored(r.id), 'WITHDRAWN');
  });

  test('approving after the requested time was taken fails with SLOT_TAKEN and the request stays open', async () => {
    const { appointment, request: r, handle } = await request(260, 24 * HOUR);
    // Someone else books the requested time first.
    const taken = await f.book((r.requestedStartsAt.getTime() - (await f.env.currentTimeMs())) / HOUR);
    await assert.rejects(
      handle.executeUpdate(rescheduleRequestUpdates.approve, { args: [{ byId: f.practitioner.id }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'SLOT_TAKEN',
    );
    assert.equal(await stored(r.id), 'PENDING');
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt, appointment.startsAt);
    // Still open: it can be decided otherwise.
    await handle.executeUpdate(rescheduleRequestUpdates.reject, { args: [{ byId: f.practitioner.id, notes: 'Taken meanwhile' }] });
    assert.equal(await stored(r.id), 'REJECTED');
    assert.ok(taken.id);
  });
});

describe('an undecided request', () => {
  const skipping = useLifecycleFixture();

  test('undecided, it expires when the session is 48 hours away, and the therapist is told', async () => {
    const { appointment, request: r, handle } = await requestOn(skipping, 200, 4 * HOUR);
    // env.client lets the server skip ahead to the request's deadline.
    assert.deepEqual(await skipping.env.client.workflow.getHandle(handle.workflowId).result(), { status: 'EXPIRED' });
    const expired = await skipping.db.prisma.rescheduleRequest.findUniqueOrThrow({ where: { id: r.id } });
    assert.equal(expired.status, 'EXPIRED');
    const late = (expired.decidedAt?.getTime() ?? 0) - (appointment.startsAt.getTime() - 48 * HOUR);
    assert.ok(late >= 0 && late < 60_000, 'expired when the 48 hours began');
    const reservation = (await skipping.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).reservationId;
    assert.equal((await skipping.emails(mailTo(skipping.practitioner.email, /was expired/, reservation), 1)).length, 1);
  });
});
