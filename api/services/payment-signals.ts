import { WorkflowNotFoundError } from '@temporalio/client';
import { paymentReceivedSignal } from '../../domain/payment-reminders';
import { workflowIds } from '../../domain/temporal';
import { type ApiDeps } from '../deps';

/**
 * Tells every open chase of the patient's unpaid balances that a payment arrived, so a paid balance
 * stops being followed up at once. A chase that has ended is left alone; one Temporal cannot reach
 * now still re-reads the balance before its next follow-up, so a lost signal costs nothing but time.
 */
export async function signalPaymentChases(deps: Pick<ApiDeps, 'prisma' | 'temporal' | 'logger'>, clinicId: string, patientId: string): Promise<void> {
  const open = await deps.prisma.paymentReminder.findMany({ where: { clinicId, patientId, status: 'OPEN' }, select: { run: { select: { month: true } } } });
  await Promise.all(
    open.map(async ({ run }) => {
      try {
        await deps.temporal.client.workflow.getHandle(workflowIds.paymentBalance(clinicId, run.month, patientId)).signal(paymentReceivedSignal);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) deps.logger.warn({ err: { type: (err as Error)?.name } }, 'payment chase not signalled');
      }
    }),
  );
}
