import { type MessageDeliveryResult } from '../../domain/message-delivery';
import { type PrismaClient } from '../../prisma/client';
import { eventually } from './eventually';

/**
 * The outcome of a message as the delivery log records it, once it has one: delivered by its
 * first try (no delivery workflow) or by its workflow, or finished otherwise (FAILED, EXPIRED,
 * SUPPRESSED). The label is the accepting entry's, from its attempt.
 */
export async function deliveryOutcome(prisma: PrismaClient, messageId: string, timeoutMs = 120_000): Promise<MessageDeliveryResult> {
  const row = await eventually(
    `the message ${messageId} to finish`,
    () => prisma.message.findFirst({ where: { id: messageId, status: { notIn: ['PENDING', 'SENDING', 'RETRYING'] } }, include: { attempts: { where: { outcome: 'ACCEPTED' } } } }),
    timeoutMs,
  );
  return {
    status: row.status as MessageDeliveryResult['status'],
    ...(row.channel ? { channel: row.channel } : {}),
    ...(row.provider ? { provider: row.provider } : {}),
    ...(row.providerEntryId ? { entryId: row.providerEntryId } : {}),
    ...(row.attempts[0]?.providerLabel ? { label: row.attempts[0].providerLabel } : {}),
    failures: row.failures as unknown as MessageDeliveryResult['failures'],
  };
}
