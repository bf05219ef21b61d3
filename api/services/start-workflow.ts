/**
 * The one way the API starts a workflow. Typed by the workflow itself: the name must be one that
 * workflows/index.ts exports and the arguments must fit that workflow's parameters (`import type`:
 * the API never loads workflow code). Called after the transaction that wrote the workflow's row has
 * committed, so no database lock or transaction ever waits on Temporal; a crash between the commit
 * and the start is repaired by the start reconciler. A slow or unreachable Temporal is answered
 * with 503 and Retry-After instead of a hang or a 500; WorkflowExecutionAlreadyStartedError passes
 * through (the options refused a second workflow with that id: the caller decides what it means).
 */
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandleWithFirstExecutionRunId, type WorkflowStartOptions } from '@temporalio/client';
import type * as workflows from '../../workflows';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';

type Workflows = typeof workflows;
export type WorkflowName = keyof Workflows;

/** How long a start may take before the caller is told to come back. */
export const TEMPORAL_START_DEADLINE_MS = 5_000;
/** What a 503 from Temporal's trouble suggests as Retry-After (seconds). */
export const TEMPORAL_RETRY_AFTER_SECONDS = 5;

export const temporalUnavailable = (message: string) => ApiError.unavailable('TEMPORAL_UNAVAILABLE', message, TEMPORAL_RETRY_AFTER_SECONDS);

export async function startWorkflow<N extends WorkflowName>(
  deps: Pick<ApiDeps, 'temporal' | 'logger'>,
  workflowType: N,
  options: WorkflowStartOptions<Workflows[N]>,
  refusal: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<Workflows[N]>> {
  try {
    return await deps.temporal.connection.withDeadline(Date.now() + TEMPORAL_START_DEADLINE_MS, () => deps.temporal.client.workflow.start<Workflows[N]>(workflowType, options));
  } catch (err) {
    // Not Temporal's trouble but an answer: a workflow with this id exists (or existed) and the options refuse another.
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw err;
    // The error's class and message only: Temporal's messages carry no payloads.
    deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message }, workflowType }, 'workflow could not start');
    throw temporalUnavailable(refusal);
  }
}
