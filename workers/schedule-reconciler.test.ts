/**
 * The Schedule reconciler against the run's real Temporal dev server and a real PostgreSQL: many
 * clinics read page by page, only the Schedules that differ written (counted, and seen unchanged
 * on the server), and two reconcilers started at the same moment ending in one Schedule per clinic,
 * each as the clinic's settings say. The platform's own Schedule is left to workers/schedules.test.ts,
 * which changes it: two files writing it at once would race.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SCHEDULE_IDS } from '../domain/temporal';
import { connectTemporalClient } from '../temporal-config/client';
import { paymentReminderSchedule } from '../temporal-config/payment-reminder-schedule';
import { scheduleMatches } from '../temporal-config/schedule-sync';
import { testConfig } from '../test/support/config';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { devServerAddress } from '../test/support/temporal';
import { reconcileSchedules } from './schedule-reconciler';

let db: TestDatabase;
let temporal: Awaited<ReturnType<typeof connectTemporalClient>>;
const settings = { licensingHourUtc: 2 };
/** Every clinic this file made, whose Schedules it removes again. */
const made: string[] = [];

before(async () => {
  const config = testConfig();
  db = await createTestDatabase();
  temporal = await connectTemporalClient({ address: devServerAddress(), namespace: 'default', keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
});

after(async () => {
  for (let i = 0; i < made.length; i += 20) {
    await Promise.all(made.slice(i, i + 20).map((id) => temporal.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(id)).delete().catch(() => undefined)));
    await Promise.all(made.slice(i, i + 20).map((id) => temporal.client.schedule.getHandle(SCHEDULE_IDS.monthlyReport(id)).delete().catch(() => undefined)));
  }
  await temporal?.connection.close();
  await db?.drop();
});

async function addClinics(count: number, prefix: string): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => ({ name: `${prefix} ${i}`, timezone: i % 2 ? 'Asia/Kolkata' : 'Europe/London', licenseTierCode: 'S', settings: { paymentReminders: { dayOfMonth: 1 + (i % 28), hour: 9 } } }));
  const created = await db.prisma.clinic.createManyAndReturn({ data: rows, select: { id: true } });
  made.push(...created.map((c) => c.id));
  return created.map((c) => c.id);
}

/** A few at a time: hundreds of describes at once would exceed the dev server's deadlines on a busy machine. */
async function describeAll(ids: string[]) {
  const found = [];
  for (let i = 0; i < ids.length; i += 10) {
    found.push(...(await Promise.all(ids.slice(i, i + 10).map((id) => temporal.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(id)).describe()))));
  }
  return found;
}

test('pages through many clinics and writes only the Schedules that differ', { timeout: 300_000 }, async () => {
  const ids = await addClinics(150, 'Paged');

  // First pass, in pages of 40: every clinic's Schedule is created.
  const first = await reconcileSchedules({ client: temporal.client, prisma: db.prisma, settings, pageSize: 40, platform: false });
  assert.deepEqual(first.clinics, { created: 150, updated: 0, unchanged: 0 });

  // Nothing changed: nothing is written, and the server's copies keep their update time.
  const before = new Map((await describeAll(ids)).map((d) => [d.scheduleId, d.info.lastUpdatedAt?.getTime()]));
  const second = await reconcileSchedules({ client: temporal.client, prisma: db.prisma, settings, pageSize: 40, platform: false });
  assert.deepEqual(second.clinics, { created: 0, updated: 0, unchanged: 150 });

  // Three clinics move their reminder day, one its time zone, one switches reminders off.
  const changed = ids.slice(10, 15);
  for (const [i, id] of changed.slice(0, 3).entries()) await db.prisma.clinic.update({ where: { id }, data: { settings: { paymentReminders: { dayOfMonth: 20 + i, hour: 7 } } } });
  await db.prisma.clinic.update({ where: { id: changed[3]! }, data: { timezone: 'America/New_York' } });
  await db.prisma.clinic.update({ where: { id: changed[4]! }, data: { settings: { paymentReminders: { enabled: false } } } });
  const third = await reconcileSchedules({ client: temporal.client, prisma: db.prisma, settings, pageSize: 40, platform: false });
  assert.deepEqual(third.clinics, { created: 0, updated: 5, unchanged: 145 });

  const after = await describeAll(ids);
  const clinics = new Map((await db.prisma.clinic.findMany({ where: { id: { in: ids } } })).map((c) => [c.id, c]));
  for (const d of after) {
    const clinicId = d.scheduleId.split('/')[1]!;
    assert.ok(scheduleMatches(d, paymentReminderSchedule(clinics.get(clinicId)!)), `${d.scheduleId} is as the clinic's settings say`);
    const wasChanged = changed.includes(clinicId);
    assert.equal(d.info.lastUpdatedAt?.getTime() !== before.get(d.scheduleId), wasChanged, `${d.scheduleId} was ${wasChanged ? '' : 'not '}written`);
  }
  assert.equal(after.find((d) => d.scheduleId.endsWith(changed[4]!))?.state.paused, true);
  assert.equal(after.find((d) => d.scheduleId.endsWith(changed[3]!))?.spec.timezone, 'America/New_York');
});

test('two reconcilers at once end in one Schedule per clinic, created once', { timeout: 300_000 }, async () => {
  const ids = await addClinics(60, 'Raced');
  const run = () => reconcileSchedules({ client: temporal.client, prisma: db.prisma, settings, pageSize: 25, concurrency: 6, platform: false });
  const [a, b] = await Promise.all([run(), run()]);

  // Both finished without an error; between them each new Schedule was created exactly once.
  const createdNow = a.clinics.created + b.clinics.created;
  assert.equal(createdNow, 60, `created ${a.clinics.created} + ${b.clinics.created}`);

  const ours = new Set(ids.map((id) => SCHEDULE_IDS.paymentReminders(id)));
  const clinics = new Map((await db.prisma.clinic.findMany({ where: { id: { in: ids } } })).map((c) => [c.id, c]));
  for (const d of await describeAll(ids)) {
    assert.ok(ours.has(d.scheduleId));
    assert.ok(scheduleMatches(d, paymentReminderSchedule(clinics.get(d.scheduleId.split('/')[1]!)!)));
  }
  // And the next pass finds nothing to do.
  const again = await run();
  assert.equal(again.clinics.created + again.clinics.updated, 0);
});
