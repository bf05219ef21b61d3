/**
 * A NUL byte in every workflow update that carries text, sent straight through the Temporal client
 * (as if the API's own check were missing), on the run's real dev server with the real activities
 * and PostgreSQL (test/support/lifecycle.ts). Each update is refused within seconds with a typed
 * failure, changes nothing, and the workflow takes the next update as if nothing had happened.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { appointmentUpdates } from '../../domain/appointment-workflow';
import { DATABASE_FAILURES } from '../../domain/database-failures';
import { rescheduleRequestUpdates } from '../../domain/reschedule-requests';
import { rescheduleRequestStart } from '../../domain/temporal';
import { HOUR, useLifecycleFixture } from '../../test/support/lifecycle';
import { rescheduleRequestWorkflow } from './reschedule-request';

const f = useLifecycleFixture({ timeSkipping: false });
const NUL = 'before\u0000after';
/** Far below an activity's retry window: a refusal must not wait for retries. */
const QUICKLY_MS = 5_000;

/** The update fails within QUICKLY_MS with one of `types` (a wedged update fails the test instead of hanging it). */
async function refusedQuickly(update: Promise<unknown>, types: string[]): Promise<void> {
  const started = Date.now();
  const wedged = sleep(QUICKLY_MS, undefined, { ref: false }).then(() => `no answer within ${QUICKLY_MS} ms`);
  const answer = await Promise.race([update.then(() => 'accepted', (err: unknown) => err), wedged]);
  assert.ok(answer instanceof WorkflowUpdateFailedError, `expected a refusal, got: ${String(answer)}`);
  assert.ok(answer.cause instanceof ApplicationFailure, String(answer.cause));
  assert.ok(types.includes(answer.cause.type ?? ''), `refused as ${answer.cause.type}: ${answer.cause.message}`);
  const took = Date.now() - started;
  assert.ok(took < QUICKLY_MS, `refused after ${took} ms`);
}

const textRefusal = [DATABASE_FAILURES.invalidEncoding, DATABASE_FAILURES.invalidInput];

describe('appointment updates', () => {
  test('cancel, reschedule and complete with a NUL byte are refused quickly; the appointment stays steerable', async () => {
    const { id, handle } = await f.book(30);
    await refusedQuickly(handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: NUL }] }), textRefusal);
    await refusedQuickly(handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: `2030-01-01T10:00:00Z${NUL}` }] }), ['NOT_BOOKABLE']);
    let row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.cancelReason], ['SCHEDULED', null], 'nothing was written');

    // Still steerable: confirm, check in and start as usual.
    assert.equal((await handle.executeUpdate(appointmentUpdates.confirm)).status, 'CONFIRMED');
    for (const update of [appointmentUpdates.checkIn, appointmentUpdates.start] as const) await handle.executeUpdate(update);

    await refusedQuickly(handle.executeUpdate(appointmentUpdates.complete, { args: [{ notes: NUL }] }), textRefusal);
    await refusedQuickly(handle.executeUpdate(appointmentUpdates.complete, { args: [{ followUpRequired: true, followUpDate: `2030-01-01${NUL}` }] }), textRefusal);
    row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.notes], ['IN_PROGRESS', null]);

    const done = await handle.executeUpdate(appointmentUpdates.complete, { args: [{ notes: 'Went well' }] });
    assert.equal(done.status, 'COMPLETED');
    row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.notes], ['COMPLETED', 'Went well']);
  });

  test('a cancellation refused for its reason can be sent again with a clean one', async () => {
    const { id, handle } = await f.book(40);
    await refusedQuickly(handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: NUL }] }), textRefusal);
    assert.equal((await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'Patient unwell' }] })).status, 'CANCELLED');
    const row = await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.cancelReason], ['CANCELLED', 'Patient unwell']);
  });
});

describe('reschedule request updates', () => {
  test('approve, reject and withdraw with a NUL byte are refused before anything moves; the request is then decided as usual', async () => {
    const appointment = await f.book(120);
    const requestId = randomUUID();
    const row = await f.db.prisma.rescheduleRequest.create({
      data: {
        id: requestId,
        clinicId: f.clinicId,
        appointmentId: appointment.id,
        therapistId: f.practitioner.id,
        requestedStartsAt: new Date(appointment.startsAt.getTime() + 24 * HOUR),
        reason: 'Conference',
        workflowId: `reschedule/${f.clinicId}/${requestId}`,
      },
    });
    const handle = await f.client.workflow.start(rescheduleRequestWorkflow, rescheduleRequestStart(f.clinicId, row));
    const byId = f.practitioner.id;
    await refusedQuickly(handle.executeUpdate(rescheduleRequestUpdates.approve, { args: [{ byId, notes: NUL }] }), textRefusal);
    await refusedQuickly(handle.executeUpdate(rescheduleRequestUpdates.reject, { args: [{ byId, notes: NUL }] }), textRefusal);
    await refusedQuickly(handle.executeUpdate(rescheduleRequestUpdates.withdraw, { args: [{ byId: `${byId}\u0000` }] }), textRefusal);
    assert.equal((await f.db.prisma.rescheduleRequest.findUniqueOrThrow({ where: { id: requestId } })).status, 'PENDING');
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt, appointment.startsAt, 'the refused approval moved nothing');

    assert.equal((await handle.executeUpdate(rescheduleRequestUpdates.approve, { args: [{ byId, notes: 'Fine' }] })).status, 'APPROVED');
    assert.deepEqual(await handle.result(), { status: 'APPROVED' });
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt, row.requestedStartsAt);
  });
});
