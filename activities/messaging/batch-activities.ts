import { Context } from '@temporalio/activity';
import { createDeliverAtOnce, type DeliverAtOnceDeps } from './deliver-at-once';

/**
 * The deliveries of one send request. The API commits the request's messages together and starts
 * one batch workflow; this sends them from there (deliver-at-once.ts: a message the first try does
 * not deliver goes on in its own delivery workflow), so a request is accepted whole or not at all,
 * and answers fast however many recipients it has.
 */
export function createBatchActivities(deps: DeliverAtOnceDeps) {
  const { prisma } = deps;
  const deliverAtOnce = createDeliverAtOnce(deps);
  return {
    /** Returns how many messages of the batch were still waiting to be sent. */
    async startBatchDeliveries({ clinicId, batchId }: { clinicId: string; batchId: string }): Promise<number> {
      const { info } = Context.current();
      const messages = await prisma.message.findMany({ where: { clinicId, batchId, status: { in: ['PENDING', 'SENDING'] } }, select: { id: true } });
      await deliverAtOnce(
        clinicId,
        messages.map((m) => m.id),
        { nowMs: info.currentAttemptScheduledTimestampMs, onProgress: (done) => Context.current().heartbeat(done) },
      );
      return messages.length;
    },
  };
}
