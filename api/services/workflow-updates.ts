/**
 * Staff actions on an appointment (or a reschedule request) go to its workflow as updates: the
 * workflow checks the action against the current state before accepting it and writes the row
 * itself. This turns the workflow's refusals into API answers.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition, WorkflowNotFoundError } from '@temporalio/common';
import { APPOINTMENT_ERRORS } from '../../domain/appointment-workflow';
import { RESCHEDULE_ERRORS } from '../../domain/reschedule-requests';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { temporalUnavailable } from './start-workflow';

/** Sends one update and waits for its result; refusals become 409 / 422, an unreachable Temporal 503. */
export async function steer<Ret, Args extends unknown[]>(deps: ApiDeps, workflowId: string, update: UpdateDefinition<Ret, Args>, args: Args, currentStatus: string): Promise<Ret> {
  try {
    const handle = deps.temporal.client.workflow.getHandle(workflowId);
    // The definition itself, so its result type travels; the typed overloads tell updates with and
    // without arguments apart, which a generic caller cannot.
    return await (args.length === 0
      ? handle.executeUpdate(update as unknown as UpdateDefinition<Ret, []>)
      : handle.executeUpdate(update as unknown as UpdateDefinition<Ret, [unknown]>, { args: [args[0]] }));
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
    if (type === RESCHEDULE_ERRORS.notPending) return ApiError.conflict('NOT_PENDING', message);
  }
  // The workflow has finished: the appointment (or request) is in a final state for good.
  if (err instanceof WorkflowNotFoundError) return ApiError.conflict('INVALID_TRANSITION', `It is ${currentStatus} and can no longer change`);
  deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message } }, 'appointment workflow update failed');
  return temporalUnavailable('The appointment could not be changed right now; try again later');
}
