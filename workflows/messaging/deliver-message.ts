import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { messageDeliveryStart } from '../../domain/temporal';
import { messageDeliveryWorkflow } from './message-delivery';

/**
 * Delivers one message as a child workflow the caller does not wait for (providers may take their
 * time; the parent goes on). Message ids are derived from the event they announce, so an event
 * handled twice finds its delivery already started and leaves it be.
 */
export async function deliverMessage(clinicId: string, messageId: string, about: { patientId?: string | null; appointmentId?: string } = {}): Promise<void> {
  try {
    await startChild(messageDeliveryWorkflow, { ...messageDeliveryStart(clinicId, messageId, about.patientId, about.appointmentId), parentClosePolicy: ParentClosePolicy.ABANDON });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
