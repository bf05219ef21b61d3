import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { type MessageDeliveryResult } from '../../domain/message-delivery';
import { eventually } from './eventually';

/**
 * The outcome of a message accepted by POST /communication/send. Its delivery workflow is started
 * by the request's batch workflow a moment after the 202, so it is waited for to exist first.
 */
export async function deliveryOutcome(client: Client, workflowId: string): Promise<MessageDeliveryResult> {
  const handle = client.workflow.getHandle(workflowId);
  await eventually(`the delivery ${workflowId} to start`, () => handle.describe().then(() => true, (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err))));
  return (await handle.result()) as MessageDeliveryResult;
}
