import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ScheduleOptions, ScheduleOverlapPolicy } from '@temporalio/client';
import { SCHEDULE_IDS, TASK_QUEUES } from '../domain/temporal';
import { connectTemporalClient } from '../temporal-config/client';
import { testConfig } from '../test/support/config';
import { devServerAddress } from '../test/support/temporal';
import { applySchedule } from '../temporal-config/schedule-sync';
import { ensureSchedules, platformSchedules, startReconcilerSchedule } from './schedules';

let temporal: Awaited<ReturnType<typeof connectTemporalClient>>;

before(async () => {
  const config = testConfig();
  temporal = await connectTemporalClient({ address: devServerAddress(), namespace: 'default', keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
});
after(async () => {
  // The dev server is shared by the run's test files: no Schedule of this file outlives it.
  for (const id of [SCHEDULE_IDS.licensingDaily, SCHEDULE_IDS.startReconciler, SCHEDULE_IDS.messagingMonitor]) await temporal.client.schedule.getHandle(id).delete().catch(() => undefined);
  await temporal.connection.close();
});

test('creates the daily licensing Schedule, then updates it in place on the next start', async () => {
  assert.deepEqual(await ensureSchedules(temporal.client, { licensingHourUtc: 2 }), [SCHEDULE_IDS.licensingDaily, SCHEDULE_IDS.startReconciler, SCHEDULE_IDS.messagingMonitor]);
  const handle = temporal.client.schedule.getHandle(SCHEDULE_IDS.licensingDaily);
  let d = await handle.describe();
  assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
  assert.equal(d.policies.catchupWindow, 86_400_000);
  assert.equal(d.action.type, 'startWorkflow');
  assert.equal(d.action.workflowType, 'licensingSweepWorkflow');
  assert.equal(d.action.taskQueue, TASK_QUEUES.operations);
  assert.deepEqual(d.spec.calendars?.map((c) => c.hour), [[{ start: 2, end: 2, step: 1 }]]);

  await ensureSchedules(temporal.client, { licensingHourUtc: 5 });
  d = await handle.describe();
  assert.deepEqual(d.spec.calendars?.map((c) => c.hour), [[{ start: 5, end: 5, step: 1 }]]);
  const next = d.info.nextActionTimes[0];
  assert.ok(next && next.getUTCHours() === 5 && next.getUTCMinutes() === 0, 'next run is at 05:00 UTC');
});

test('the start reconciler runs every minute, one run at a time', async () => {
  await ensureSchedules(temporal.client, { licensingHourUtc: 2 });
  const d = await temporal.client.schedule.getHandle(SCHEDULE_IDS.startReconciler).describe();
  assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
  assert.deepEqual(d.spec.intervals?.map((i) => i.every), [60_000]);
  assert.equal(d.action.type, 'startWorkflow');
  assert.equal(d.action.workflowType, 'startReconcilerWorkflow');
});

test('creates the messaging monitor Schedule: every 5 minutes, never two at once', async () => {
  await ensureSchedules(temporal.client, { licensingHourUtc: 2 });
  const d = await temporal.client.schedule.getHandle(SCHEDULE_IDS.messagingMonitor).describe();
  assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
  assert.equal(d.action.type, 'startWorkflow');
  assert.equal(d.action.workflowType, 'messagingMonitorWorkflow');
  assert.deepEqual(d.spec.intervals?.map((i) => i.every), [300_000]);
});

test('a pass with unchanged settings writes nothing, and a changed interval is written', async () => {
  await ensureSchedules(temporal.client, { licensingHourUtc: 2 });
  for (const wanted of platformSchedules({ licensingHourUtc: 2 })) assert.equal((await applySchedule(temporal.client, wanted)).write, 'unchanged', wanted.scheduleId);

  const everyTwoMinutes: ScheduleOptions = { ...startReconcilerSchedule(), spec: { intervals: [{ every: '2 minutes' }] } };
  assert.equal((await applySchedule(temporal.client, everyTwoMinutes)).write, 'updated');
  const d = await temporal.client.schedule.getHandle(SCHEDULE_IDS.startReconciler).describe();
  assert.deepEqual(d.spec.intervals?.map((i) => i.every), [120_000]);
  await ensureSchedules(temporal.client, { licensingHourUtc: 2 });
});
