import { Context } from '@temporalio/activity';

/** How long a message stays worth delivering when nothing about it says otherwise (payments, alerts, follow-ups). */
export const DEFAULT_MESSAGE_TTL_MS = 72 * 3_600_000;

/**
 * A message's default deadline, counted on Temporal's clock (the one its delivery workflow reads):
 * `nowMs` when the workflow passed its own time (a local activity's context has only the worker's
 * clock), else when the activity was scheduled; on the process clock outside activities (the
 * clocks agree outside time-skipping tests).
 */
export function defaultMessageDeadline(nowMs: number = scheduledNow()): Date {
  return new Date(nowMs + DEFAULT_MESSAGE_TTL_MS);
}

/** When the running activity's attempt was scheduled (Temporal's clock), or the process clock outside one. */
function scheduledNow(): number {
  try {
    return Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    return Date.now(); // not inside an activity
  }
}
