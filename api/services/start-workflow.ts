import { type WorkflowStartOptions } from '@temporalio/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';

/**
 * Starts a workflow from inside the transaction that writes its row (the start last, so a failed
 * start rolls the row back). Temporal's trouble is logged without payloads and answered with 503.
 */
export async function startWorkflowOr503(deps: ApiDeps, workflowType: string, options: WorkflowStartOptions, refusal: string): Promise<void> {
  await deps.temporal.client.workflow.start(workflowType, options).catch((err: unknown) => {
    deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message }, workflowType }, 'workflow could not start');
    throw new ApiError(503, 'TEMPORAL_UNAVAILABLE', refusal);
  });
}
