import { Context } from '@temporalio/activity';

/** How long a message stays worth delivering when nothing about it says otherwise (payments, alerts, follow-ups). */
export const DEFAULT_MESSAGE_TTL_MS = 72 * 3_600_000;

/**
 * A message's default deadline, counted on Temporal's clock (the one its delivery workflow reads):
 * `nowMs` when the workflow passed its own time (a local activity's context has only the worker's
 * clock), else when the activity was scheduled; on the process clock outside activities (the
 * clocks agree outside time-skipping tests).
 */
export function defaultMessageDeadline(nowMs?: number): Date {
  let now = nowMs ?? Date.now();
  if (nowMs === undefined) {
    try {
      now = Context.current().info.currentAttemptScheduledTimestampMs;
    } catch {
      // Not inside an activity.
    }
  }
  return new Date(now + DEFAULT_MESSAGE_TTL_MS);
}
