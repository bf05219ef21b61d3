/**
 * Staff actions on an appointment (or a reschedule request) go to its workflow as updates: the
 * workflow checks the action against the current state before accepting it and writes the row
 * itself. This turns the workflow's refusals into API answers, and bounds the wait: a workflow
 * that does not answer (no worker, a wedged task, Temporal slow) costs the caller at most
 * UPDATE_DEADLINE_MS, then 503 with Retry-After, never a request that hangs.
 */
import { isGrpcDeadlineError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition, WorkflowNotFoundError } from '@temporalio/common';
import { APPOINTMENT_ERRORS } from '../../domain/appointment-workflow';
import { DATABASE_FAILURES } from '../../domain/database-failures';
import { REORDER_ERRORS } from '../../domain/reorder-requests';
import { RESCHEDULE_ERRORS } from '../../domain/reschedule-requests';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { temporalUnavailable } from './start-workflow';

/** How long one update may take, from sending it to its result. */
export const UPDATE_DEADLINE_MS = 10_000;
/** What a 503 asks the client to wait before trying again. */
const RETRY_AFTER_SECONDS = 5;

/** Sends one update and waits for its result; refusals become 4xx, an unreachable or silent workflow 503. */
export async function steer<Ret, Args extends unknown[]>(deps: ApiDeps, workflowId: string, update: UpdateDefinition<Ret, Args>, args: Args, currentStatus: string): Promise<Ret> {
  try {
    const handle = deps.temporal.client.workflow.getHandle(workflowId);
    // The deadline covers every call inside: sending the update and polling for its outcome. The
    // definition itself is passed, so its result type travels; the typed overloads tell updates with
    // and without arguments apart, which a generic caller cannot.
    return await deps.temporal.connection.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      args.length === 0
        ? handle.executeUpdate(update as unknown as UpdateDefinition<Ret, []>)
        : handle.executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown]>, { args: [args[0]] }),
    );
  } catch (err) {
    throw asApiError(err, currentStatus, deps);
  }
}

export function asApiError(err: unknown, currentStatus: string, deps: Pick<ApiDeps, 'logger'>): ApiError {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    // These messages are the workflow's own words about states and times: no patient data.
    const { type, message } = err.cause;
    if (type === APPOINTMENT_ERRORS.invalidTransition) return ApiError.conflict('INVALID_TRANSITION', message);
    if (type === APPOINTMENT_ERRORS.slotTaken) return ApiError.conflict('SLOT_TAKEN', message);
    if (type === APPOINTMENT_ERRORS.notBookable) return ApiError.unprocessable('NOT_BOOKABLE', message);
    if (type === RESCHEDULE_ERRORS.notPending || type === REORDER_ERRORS.notPending) return ApiError.conflict('NOT_PENDING', message);
    // The database refused a value of the request for good; the workflow is unchanged and still takes actions.
    if (type === DATABASE_FAILURES.invalidEncoding || type === DATABASE_FAILURES.invalidInput) {
      return ApiError.unprocessable('UNSTORABLE_INPUT', 'A value of the request cannot be stored (for example text with a NUL byte); nothing was changed');
    }
    if (type === DATABASE_FAILURES.constraint) return ApiError.conflict('CONFLICT', 'The change conflicts with what is stored; nothing was changed');
  }
  // The workflow has finished: the appointment (or request) is in a final state for good.
  if (err instanceof WorkflowNotFoundError) return ApiError.conflict('INVALID_TRANSITION', `It is ${currentStatus} and can no longer change`);
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) {
    deps.logger.warn({ err: { type: (err as Error).name } }, 'workflow update timed out');
    return ApiError.unavailable(
      'WORKFLOW_TIMEOUT',
      `The workflow did not answer within ${UPDATE_DEADLINE_MS / 1000} seconds; the change may still be applied, so read it again before retrying`,
      RETRY_AFTER_SECONDS,
    );
  }
  deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message } }, 'appointment workflow update failed');
  return temporalUnavailable('The appointment could not be changed right now; try again later');
}
