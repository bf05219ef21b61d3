import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { paymentReminderRunStart } from '../../domain/temporal';
import { paymentReminderRunWorkflow } from './payment-reminder-run';

const { openScheduledPaymentReminderRun } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Set by Temporal on every workflow a Schedule starts: the time the Schedule meant to fire. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * What a clinic's payment-reminder Schedule starts: Temporal names a scheduled workflow after the
 * firing time, while a run is named after the clinic's month (payment-reminders/<clinicId>/<yyyy-mm>).
 * This opens that month's run and starts it, unless the month already has one that finished (an
 * admin ran it early, or the firing was caught up twice).
 */
export async function scheduledPaymentRemindersWorkflow({ clinicId }: { clinicId: string }): Promise<{ month: string; started: boolean }> {
  const at = workflowInfo().typedSearchAttributes.get(SCHEDULED_START) ?? workflowInfo().startTime;
  const { month, finished } = await openScheduledPaymentReminderRun({ clinicId, at: at.toISOString() });
  if (finished) return { month, started: false };
  try {
    await startChild(paymentReminderRunWorkflow, {
      ...paymentReminderRunStart(clinicId, month),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { month, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { month, started: false };
  }
}
