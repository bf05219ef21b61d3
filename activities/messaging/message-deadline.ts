import { Context } from '@temporalio/activity';

/** How long a message stays worth delivering when nothing about it says otherwise (payments, alerts, follow-ups). */
export const DEFAULT_MESSAGE_TTL_MS = 72 * 3_600_000;

/**
 * A message's default deadline, counted on Temporal's clock (the one its delivery workflow reads)
 * when an activity writes it; on the process clock elsewhere (they agree outside time-skipping tests).
 */
export function defaultMessageDeadline(): Date {
  let now = Date.now();
  try {
    now = Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    // Not inside an activity.
  }
  return new Date(now + DEFAULT_MESSAGE_TTL_MS);
}
