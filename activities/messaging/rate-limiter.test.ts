import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createRateLimiter } from './rate-limiter';

let db: TestDatabase;
let clinicId: string;
let reserve: ReturnType<typeof createRateLimiter>['reserveSendSlot'];

before(async () => {
  db = await createTestDatabase();
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Limits', timezone: 'UTC', licenseTierCode: 'S' } })).id;
  reserve = createRateLimiter(db.prisma).reserveSendSlot;
});
after(async () => db?.drop());

const minute = Date.UTC(2026, 10, 21, 9, 0, 0);

test('sends fill the minute window, then the caller is told to wait until it rolls over', async () => {
  const limits = { perMinute: 3 };
  for (let i = 0; i < 3; i++) assert.deepEqual(await reserve({ clinicId, channel: 'sms', limits, at: minute + i * 1000 }), { waitMs: 0 });
  assert.deepEqual(await reserve({ clinicId, channel: 'sms', limits, at: minute + 20_000 }), { waitMs: 40_000 });
  assert.deepEqual(await reserve({ clinicId, channel: 'sms', limits, at: minute + 60_000 }), { waitMs: 0 }, 'the next minute has room');
  assert.deepEqual(await reserve({ clinicId, channel: 'email', limits, at: minute + 20_000 }), { waitMs: 0 }, 'channels are counted apart');
});

test('a refused reservation takes no slot in any window; the tightest window decides the wait', async () => {
  const at = Date.UTC(2026, 10, 21, 10, 0, 0);
  const limits = { perMinute: 10, perHour: 2 };
  await reserve({ clinicId, channel: 'whatsapp', limits, at });
  await reserve({ clinicId, channel: 'whatsapp', limits, at: at + 1000 });
  assert.deepEqual(await reserve({ clinicId, channel: 'whatsapp', limits, at: at + 2000 }), { waitMs: 3_600_000 - 2000 });
  const minuteRow = await db.prisma.rateLimitWindow.findFirstOrThrow({ where: { clinicId, channel: 'whatsapp', seconds: 60 } });
  assert.equal(minuteRow.count, 2, 'the refused send did not count in the minute window');
});

test('concurrent reservations never exceed the limit', async () => {
  const at = Date.UTC(2026, 10, 21, 11, 0, 0);
  const results = await Promise.all(Array.from({ length: 12 }, () => reserve({ clinicId, channel: 'push', limits: { perMinute: 5 }, at })));
  assert.equal(results.filter((r) => r.waitMs === 0).length, 5);
});

test('no limits, no bookkeeping', async () => {
  assert.deepEqual(await reserve({ clinicId, channel: 'email', limits: {}, at: minute }), { waitMs: 0 });
});

test('windows that have ended are removed by the next reservation of that clinic and channel', async () => {
  const at = Date.UTC(2026, 10, 22, 9, 0, 30);
  const limits = { perSecond: 5, perMinute: 10, perHour: 100, perDay: 1000 };
  await reserve({ clinicId, channel: 'email', limits, at });
  const windows = () => db.prisma.rateLimitWindow.findMany({ where: { clinicId, channel: 'email' }, orderBy: { seconds: 'asc' } });
  assert.deepEqual((await windows()).map((w) => w.seconds), [1, 60, 3600, 86_400]);

  // 90 minutes on: the second, minute and first hour are over; the day is not.
  await reserve({ clinicId, channel: 'email', limits: { perMinute: 10 }, at: at + 90 * 60_000 });
  const left = await windows();
  assert.deepEqual(left.map((w) => [w.seconds, w.windowStart.toISOString()]), [
    [60, '2026-11-22T10:30:00.000Z'],
    [86_400, '2026-11-22T00:00:00.000Z'],
  ]);
  assert.ok(await db.prisma.rateLimitWindow.count({ where: { clinicId, channel: 'sms' } }), "another channel's windows are left to its own reservations");
});
