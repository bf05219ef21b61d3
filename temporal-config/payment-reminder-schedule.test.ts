/**
 * A clinic's payment-reminder Schedule on the run's real Temporal dev server, with a real worker
 * and PostgreSQL (test/support/lifecycle.ts, timeSkipping off). The Java time-skipping server has
 * no Schedules, so the firings across a daylight-saving change are made real with a backfill: the
 * server itself decides when the Schedule would have fired and starts those workflows.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { SCHEDULE_IDS } from '../domain/temporal';
import { eventually } from '../test/support/eventually';
import { useLifecycleFixture } from '../test/support/lifecycle';
import { savePaymentReminderSchedule } from './payment-reminder-schedule';

const f = useLifecycleFixture({ timeSkipping: false });
const LONDON = 'Europe/London';

after(async () => {
  await f.client?.schedule.getHandle(SCHEDULE_IDS.paymentReminders(f.clinicId)).delete().catch(() => undefined);
});

const londonWallClock = (d: Date) => d.toLocaleString('en-GB', { timeZone: LONDON, day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

test('fires on the clinic\'s day at 09:00 its own time on both sides of a daylight-saving change, one run per month', { timeout: 120_000 }, async () => {
  const clinic = await f.db.prisma.clinic.update({ where: { id: f.clinicId }, data: { timezone: LONDON, settings: { paymentReminders: { dayOfMonth: 15, hour: 9 } } } });
  await savePaymentReminderSchedule(f.client, clinic);
  const schedule = f.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(f.clinicId));

  // Upcoming firings: 09:00 in London on the 15th, whatever the UTC offset of the month.
  const upcoming = (await schedule.describe()).info.nextActionTimes;
  assert.ok(upcoming.length >= 3);
  for (const at of upcoming) assert.equal(londonWallClock(at), '15, 09:00', at.toISOString());

  // February and March 2026 are on GMT, April on BST (the clocks went forward on 29 March).
  await schedule.backfill({ start: new Date('2026-02-01T00:00:00Z'), end: new Date('2026-04-30T00:00:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  const runs = await waitForRuns(3);
  assert.deepEqual(runs.map((r) => r.month), ['2026-02', '2026-03', '2026-04']);
  assert.ok(runs.every((r) => r.trigger === 'SCHEDULE' && r.workflowId === `payment-reminders/${f.clinicId}/${r.month}`));

  const fired = await firings(3);
  assert.deepEqual(fired.map((d) => d.toISOString()), ['2026-02-15T09:00:00.000Z', '2026-03-15T09:00:00.000Z', '2026-04-15T08:00:00.000Z']);

  // Firing twice for a month that already has its run opens no second one.
  await schedule.backfill({ start: new Date('2026-04-01T00:00:00Z'), end: new Date('2026-04-30T00:00:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
  await firings(4);
  assert.equal(await f.db.prisma.paymentReminderRun.count({ where: { clinicId: f.clinicId } }), 3);

  // Switched off: paused, and saying so.
  await savePaymentReminderSchedule(f.client, { ...clinic, settings: { paymentReminders: { enabled: false } } });
  assert.equal((await schedule.describe()).state.paused, true);
});

const waitForRuns = (count: number) =>
  eventually(`${count} finished payment-reminder runs`, async () => {
    const runs = await f.db.prisma.paymentReminderRun.findMany({ where: { clinicId: f.clinicId, finishedAt: { not: null } }, orderBy: { month: 'asc' } });
    return runs.length >= count && runs;
  }, 60_000);

/** When the Schedule meant each of its workflows to start, from the workflows themselves. */
const firings = (count: number): Promise<Date[]> =>
  eventually(`${count} workflows started by the Schedule`, async () => {
    const times: Date[] = [];
    for await (const w of f.client.workflow.list({ query: `WorkflowType = 'scheduledPaymentRemindersWorkflow' AND ClinicId = '${f.clinicId}'` })) {
      const at = w.searchAttributes?.TemporalScheduledStartTime?.[0];
      if (at instanceof Date) times.push(at);
    }
    return times.length >= count && times.sort((a, b) => a.getTime() - b.getTime());
  }, 60_000);
