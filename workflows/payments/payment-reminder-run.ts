import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { continueAsNew, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { paymentBalanceStart, type PaymentReminderRunInput } from '../../domain/temporal';
import { paymentBalanceWorkflow } from './payment-balance';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Patients per page, and pages per run before continuing as new (about 2,000 history events). */
const PAGE_SIZE = 200;
const PAGES_PER_RUN = 5;

/**
 * A clinic's monthly payment reminders: finds the patients who owe something a page at a time
 * and starts one balance chase per patient (payment-balance/<clinicId>/<month>/<patientId>), which
 * sends the reminder and the follow-ups. Large clinics continue as new every few pages. Nobody is
 * reminded twice in a run: the database keeps one row per patient and run, and Temporal refuses a
 * second chase with the same id, so a retried page or a restarted run only finds what it did before.
 */
export async function paymentReminderRunWorkflow({ clinicId, month, after }: PaymentReminderRunInput): Promise<{ reminders: number }> {
  let cursor = after;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const { reminders, more } = await acts.preparePaymentReminders({ clinicId, month, after: cursor, limit: PAGE_SIZE });
    await Promise.all(reminders.map((r) => startChase({ clinicId, month, ...r })));
    cursor = reminders.at(-1)?.patientId ?? cursor;
    if (!more) return { reminders: await acts.finishPaymentReminderRun({ clinicId, month }) };
  }
  return continueAsNew<typeof paymentReminderRunWorkflow>({ clinicId, month, after: cursor });
}

async function startChase(input: { clinicId: string; month: string; patientId: string; reminderId: string }): Promise<void> {
  try {
    await startChild(paymentBalanceWorkflow, {
      ...paymentBalanceStart(input),
      // The chase outlives the run by weeks; a finished chase is never started again for the month.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
