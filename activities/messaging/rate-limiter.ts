import { type RateLimits } from '../../domain/message-delivery';
import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';

const WINDOWS: Array<[keyof RateLimits, number]> = [
  ['perSecond', 1],
  ['perMinute', 60],
  ['perHour', 3600],
  ['perDay', 86_400],
];

/**
 * Counts sends per clinic and channel in fixed windows. A send takes a slot in every window at
 * once, or none; when a window is full the caller is told how long to wait for it to roll over
 * (the workflow sleeps, so a burst is spread out and never dropped). `at` is the workflow's
 * clock, which keeps time-skipping tests and replays consistent.
 */
export function createRateLimiter(prisma: PrismaClient) {
  return {
    async reserveSendSlot({ clinicId, channel, limits, at }: { clinicId: string; channel: Channel; limits: RateLimits; at: number }): Promise<{ waitMs: number }> {
      const active = WINDOWS.flatMap(([name, seconds]) => {
        const limit = limits[name];
        return limit ? [{ seconds, limit, start: new Date(Math.floor(at / (seconds * 1000)) * seconds * 1000) }] : [];
      });
      if (active.length === 0) return { waitMs: 0 };
      return prisma.$transaction(async (tx) => {
        // Windows that have ended count nothing any more: drop them so the table stays small.
        await tx.$executeRaw`DELETE FROM "RateLimitWindow" WHERE "clinicId" = ${clinicId}::uuid AND "channel" = ${channel}::"MessageChannel"
           AND "windowStart" + "seconds" * interval '1 second' <= ${new Date(at)}`;
        let waitMs = 0;
        for (const w of active) {
          await tx.$executeRaw`INSERT INTO "RateLimitWindow" ("clinicId", "channel", "seconds", "windowStart", "count")
                               VALUES (${clinicId}::uuid, ${channel}::"MessageChannel", ${w.seconds}, ${w.start}, 0) ON CONFLICT DO NOTHING`;
          const [row] = await tx.$queryRaw<Array<{ count: number }>>`SELECT "count" FROM "RateLimitWindow"
             WHERE "clinicId" = ${clinicId}::uuid AND "channel" = ${channel}::"MessageChannel" AND "seconds" = ${w.seconds} AND "windowStart" = ${w.start} FOR UPDATE`;
          if ((row?.count ?? 0) >= w.limit) waitMs = Math.max(waitMs, w.start.getTime() + w.seconds * 1000 - at);
        }
        if (waitMs > 0) return { waitMs };
        for (const w of active) {
          await tx.$executeRaw`UPDATE "RateLimitWindow" SET "count" = "count" + 1
             WHERE "clinicId" = ${clinicId}::uuid AND "channel" = ${channel}::"MessageChannel" AND "seconds" = ${w.seconds} AND "windowStart" = ${w.start}`;
        }
        return { waitMs: 0 };
      });
    },
  };
}
