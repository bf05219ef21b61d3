import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * An activity's typed refusal (SLOT_TAKEN, INVALID_TRANSITION, NOT_PENDING, …) as the update's own
 * failure, so the caller sees that type rather than "activity failed"; anything else unchanged.
 */
export function asUpdateFailure(err: unknown): unknown {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
}
