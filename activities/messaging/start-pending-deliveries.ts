import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { type FirstTryFailure } from '../../domain/message-delivery';
import { messageDeliveryStart } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import type { messageDeliveryWorkflow } from '../../workflows/messaging/message-delivery';

/**
 * Starts one message's delivery workflow; one that exists already (running or finished: a retried
 * caller) is left as it is.
 */
export async function startDelivery(
  temporal: Client,
  clinicId: string,
  message: { id: string; patientId: string | null },
  { appointmentId, firstTry }: { appointmentId?: string; firstTry?: FirstTryFailure } = {},
): Promise<void> {
  const start = messageDeliveryStart(clinicId, message.id, message.patientId, appointmentId);
  try {
    await temporal.workflow.start<typeof messageDeliveryWorkflow>('messageDeliveryWorkflow', {
      ...start,
      args: [{ ...start.args[0], ...(firstTry ? { firstTry } : {}) }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Starts the delivery of each of the given messages that is still PENDING (written in a committed
 * transaction, its workflow not started yet). Idempotent: a retried activity finds the ones it
 * started already running, or no longer PENDING, and starts nothing twice.
 */
export async function startPendingDeliveries(deps: { prisma: PrismaClient; temporal?: Client }, clinicId: string, messageIds: readonly string[], appointmentId?: string): Promise<void> {
  if (!deps.temporal || messageIds.length === 0) return;
  const waiting = await deps.prisma.message.findMany({ where: { clinicId, id: { in: [...messageIds] }, status: 'PENDING' }, select: { id: true, patientId: true } });
  for (const m of waiting) await startDelivery(deps.temporal, clinicId, m, appointmentId ? { appointmentId } : {});
}
