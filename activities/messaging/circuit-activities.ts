import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';

/** Exhausted sends in a row that open a provider's circuit. */
export const CIRCUIT_FAILURE_THRESHOLD = 3;
/** How long an open circuit skips its provider before one probe is let through. */
export const CIRCUIT_COOLDOWN_MS = 5 * 60 * 1000;

type Where = { clinicId: string; channel: Channel; provider: string };

/**
 * Per clinic and provider: CLOSED lets sends through; after repeated failures OPEN skips the
 * provider (the next one in the chain is used) until the cooldown ends; then HALF_OPEN lets a
 * probe through, whose outcome closes or re-opens it. Times come from the workflow's clock.
 */
export function createCircuitActivities({ prisma }: { prisma: PrismaClient }) {
  const key = ({ clinicId, channel, provider }: Where) => ({ clinicId_channel_provider: { clinicId, channel, provider } });

  return {
    async circuitAllows(input: Where & { at: number }): Promise<boolean> {
      const circuit = await prisma.providerCircuit.findUnique({ where: key(input) });
      if (!circuit || circuit.state !== 'OPEN') return true;
      if (input.at - (circuit.openedAt?.getTime() ?? 0) < CIRCUIT_COOLDOWN_MS) return false;
      await prisma.providerCircuit.update({ where: key(input), data: { state: 'HALF_OPEN' } });
      return true;
    },

    async recordCircuit(input: Where & { healthy: boolean; at: number }): Promise<void> {
      const { clinicId, channel, provider, healthy, at } = input;
      if (healthy) {
        await prisma.providerCircuit.upsert({ where: key(input), create: { clinicId, channel, provider }, update: { state: 'CLOSED', consecutiveFailures: 0, openedAt: null } });
        return;
      }
      await prisma.$transaction(async (tx) => {
        const current = await tx.providerCircuit.upsert({ where: key(input), create: { clinicId, channel, provider }, update: {} });
        const failures = current.consecutiveFailures + 1;
        const open = current.state === 'HALF_OPEN' || failures >= CIRCUIT_FAILURE_THRESHOLD;
        await tx.providerCircuit.update({
          where: key(input),
          data: { consecutiveFailures: failures, ...(open ? { state: 'OPEN', openedAt: new Date(at) } : {}) },
        });
      });
    },
  };
}
