/**
 * Staff steering an appointment's workflow with updates, on the run's real Temporal dev server
 * (test/support/lifecycle.ts with timeSkipping off: real activities, PostgreSQL and SMTP): refused
 * transitions, a move onto a taken time, and an appointment moved so often it continues as new.
 * None of these waits for a timer, and a real server judges update semantics best.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { appointmentStateQuery, appointmentUpdates } from '../../domain/appointment-workflow';
import { type AppointmentStatus } from '../../prisma/generated/client';
import { HOUR, useLifecycleFixture } from '../../test/support/lifecycle';

const f = useLifecycleFixture({ timeSkipping: false });
const book = (hoursAhead: number, minutes?: number) => f.book(hoursAhead, minutes);
const statusOf = async (id: string): Promise<AppointmentStatus> => (await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } })).status;

describe('refusals', () => {
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
    assert.deepEqual((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id: second.id } })).startsAt, second.startsAt);
    for (const { handle } of [first, second]) await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'tidy up' }] });
  });
});

describe('long lives', () => {
  test('an appointment moved again and again continues as new and keeps its time, status and reminders', { timeout: 240_000 }, async () => {
    const { id, startsAt, handle } = await book(400);
    const times = [startsAt, new Date(startsAt.getTime() + 6 * HOUR)];
    let moves = 0;
    let runId = handle.firstExecutionRunId;
    while (runId === handle.firstExecutionRunId && moves < 400) {
      await handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: times[++moves % 2]!.toISOString() }] });
      runId = (await handle.describe()).runId;
    }
    assert.notEqual(runId, handle.firstExecutionRunId, `still one run after ${moves} moves`);
    const last = times[moves % 2]!;
    const state = await handle.query(appointmentStateQuery);
    assert.deepEqual([state.status, state.startsAt], ['SCHEDULED', last.toISOString()]);
    assert.deepEqual(state.upcomingReminders, [new Date(last.getTime() - 24 * HOUR).toISOString(), new Date(last.getTime() - 2 * HOUR).toISOString()]);
    assert.equal((await f.db.prisma.appointment.findUniqueOrThrow({ where: { id } })).startsAt.toISOString(), last.toISOString());
    // The new run still takes staff actions.
    assert.equal((await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'done moving' }] })).status, 'CANCELLED');
  });
});
