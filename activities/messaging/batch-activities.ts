import { type Client, WorkflowIdReusePolicy } from '@temporalio/client';
import { messageDeliveryStart } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { startEach } from '../temporal/start-many';

/**
 * The deliveries of one send request. The API commits the request's messages together and starts
 * one batch workflow; this starts each message's delivery from there, so a request is accepted
 * whole or not at all, and answers fast however many recipients it has.
 */
export function createBatchActivities({ prisma, temporal }: { prisma: PrismaClient; temporal: Client }) {
  return {
    async startBatchDeliveries({ clinicId, batchId }: { clinicId: string; batchId: string }): Promise<number> {
      const messages = await prisma.message.findMany({ where: { clinicId, batchId }, select: { id: true, patientId: true }, orderBy: { id: 'asc' } });
      return startEach(messages, ({ id, patientId }) =>
        temporal.workflow.start('messageDeliveryWorkflow', { ...messageDeliveryStart(clinicId, id, patientId), workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }),
      );
    },
  };
}
