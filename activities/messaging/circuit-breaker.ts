import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';

/** Exhausted sends in a row that open a provider entry's circuit. */
export const CIRCUIT_FAILURE_THRESHOLD = 3;
/** How long an open circuit skips its entry before probes are let through again. */
export const CIRCUIT_COOLDOWN_MS = 5 * 60 * 1000;

export type CircuitWhere = { clinicId: string; channel: Channel; entryId: string; provider: string };

/**
 * Per clinic and provider entry: CLOSED lets sends through; after repeated failures OPEN skips the
 * entry (the next one in the chain is used, or the message waits) until the cooldown ends; then
 * HALF_OPEN lets sends through again, and the first outcome closes or re-opens it. Times come
 * from the workflow's clock (Temporal's), which keeps time-skipping tests and replays consistent.
 * Saving a channel's configuration deletes its circuits, so a fixed configuration is tried at once.
 */
export function createCircuitBreaker(prisma: PrismaClient) {
  const key = ({ clinicId, channel, entryId }: CircuitWhere) => ({ clinicId_channel_entryId: { clinicId, channel, entryId } });

  return {
    /** Whether a send may go through now; when not, when the entry may be probed again. */
    async gate(where: CircuitWhere, atMs: number): Promise<{ allowed: true } | { allowed: false; reopensAtMs: number }> {
      const circuit = await prisma.providerCircuit.findUnique({ where: key(where) });
      if (!circuit || circuit.state !== 'OPEN') return { allowed: true };
      const reopensAtMs = (circuit.openedAt?.getTime() ?? 0) + CIRCUIT_COOLDOWN_MS;
      if (atMs < reopensAtMs) return { allowed: false, reopensAtMs };
      await prisma.providerCircuit.updateMany({ where: { ...where, state: 'OPEN' }, data: { state: 'HALF_OPEN' } });
      return { allowed: true };
    },

    /** Records a send's outcome; returns true when this failure opened the circuit (an incident starts). */
    async record(where: CircuitWhere, healthy: boolean, atMs: number): Promise<{ opened: boolean }> {
      const { clinicId, channel, entryId, provider } = where;
      if (healthy) {
        // Most sends find the circuit closed already: no write then.
        await prisma.providerCircuit.updateMany({ where: { clinicId, channel, entryId, OR: [{ state: { not: 'CLOSED' } }, { consecutiveFailures: { gt: 0 } }] }, data: { state: 'CLOSED', consecutiveFailures: 0, openedAt: null } });
        return { opened: false };
      }
      return prisma.$transaction(async (tx) => {
        // Many deliveries fail at once in an outage: the row is made atomically, then locked and counted.
        await tx.$executeRaw`INSERT INTO "ProviderCircuit" ("id", "clinicId", "channel", "entryId", "provider", "updatedAt")
          VALUES (gen_random_uuid(), ${clinicId}::uuid, ${channel}::"MessageChannel", ${entryId}, ${provider}, now())
          ON CONFLICT ("clinicId", "channel", "entryId") DO NOTHING`;
        const [current] = await tx.$queryRaw<Array<{ state: 'CLOSED' | 'OPEN' | 'HALF_OPEN'; consecutiveFailures: number }>>`
          SELECT "state", "consecutiveFailures" FROM "ProviderCircuit"
          WHERE "clinicId" = ${clinicId}::uuid AND "channel" = ${channel}::"MessageChannel" AND "entryId" = ${entryId} FOR UPDATE`;
        if (!current) throw new Error('circuit row vanished');
        const failures = current.consecutiveFailures + 1;
        const open = current.state === 'HALF_OPEN' || (current.state === 'CLOSED' && failures >= CIRCUIT_FAILURE_THRESHOLD);
        await tx.providerCircuit.update({
          where: key(where),
          data: { consecutiveFailures: failures, ...(open ? { state: 'OPEN', openedAt: new Date(atMs) } : {}) },
        });
        return { opened: open && current.state === 'CLOSED' };
      });
    },
  };
}
export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
