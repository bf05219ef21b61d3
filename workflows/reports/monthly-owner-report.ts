import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { messageDeliveryStart } from '../../domain/temporal';
import { messageDeliveryWorkflow } from '../messaging/message-delivery';

const { createMonthlyReportMessages } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** Set by Temporal on every workflow a Schedule starts: the time the Schedule meant to fire. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * What a clinic's monthly-report Schedule starts (the 1st, 08:00 clinic time): last month's
 * report e-mailed to each clinic admin, through the delivery workflow, as a signed link to its PDF.
 * The month is the one before the firing time, so a caught-up firing still reports the right month.
 */
export async function monthlyOwnerReportWorkflow({ clinicId }: { clinicId: string }): Promise<{ month: string; messages: number }> {
  const at = workflowInfo().typedSearchAttributes.get(SCHEDULED_START) ?? workflowInfo().startTime;
  const { month, messageIds } = await createMonthlyReportMessages({ clinicId, at: at.toISOString() });
  for (const messageId of messageIds) {
    try {
      await startChild(messageDeliveryWorkflow, { ...messageDeliveryStart(clinicId, messageId), parentClosePolicy: ParentClosePolicy.ABANDON });
    } catch (err) {
      // The same month fired twice (a catch-up): that e-mail is on its way already.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { month, messages: messageIds.length };
}
