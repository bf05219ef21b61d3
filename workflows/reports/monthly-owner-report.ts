import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, patched, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { messageDeliveryStart } from '../../domain/temporal';
import { messageDeliveryWorkflow } from '../messaging/message-delivery';

const { createMonthlyReportMessages } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

// One patient at a time, heartbeating: a large clinic's close takes a while.
const { issueMonthlyInvoices } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/** Set by Temporal on every workflow a Schedule starts: the time the Schedule meant to fire. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * What a clinic's monthly-report Schedule starts (the 1st, 08:00 clinic time): the month's close.
 * A clinic that invoices monthly first gets its patients' invoices for the month; then last
 * month's report is e-mailed to each clinic admin, through the delivery workflow, as a signed link
 * to its PDF. The month is the one before the firing time, so a caught-up firing still closes and
 * reports the right month.
 */
export async function monthlyOwnerReportWorkflow({ clinicId }: { clinicId: string }): Promise<{ month: string; messages: number }> {
  const at = workflowInfo().typedSearchAttributes.get(SCHEDULED_START) ?? workflowInfo().startTime;
  if (patched('monthly-invoices')) await issueMonthlyInvoices({ clinicId, at: at.toISOString() });
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
