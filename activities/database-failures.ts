/**
 * One rule for every activity family: a query PostgreSQL refuses for good (a constraint, a NUL
 * byte, an invalid value, a missing row to update) fails the activity at once as a non-retryable
 * ApplicationFailure typed from DATABASE_FAILURES, instead of being retried forever and wedging
 * the workflow that waits for it. A database that is down, restarting or slow throws as before and
 * Temporal retries it with backoff; each such attempt logs the warning "database unavailable"
 * (activity, attempt, Prisma code), which ops can alert on. Failures an activity raises itself pass
 * through unchanged.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { DATABASE_UNAVAILABLE } from '../domain/database-failures';
import { permanentDatabaseError, transientDatabaseError } from '../prisma/errors';

function warnUnavailable(code: string): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return; // called outside an activity: nobody to retry, nothing to report
  }
  const { activityType, attempt, workflowExecution } = context.info;
  context.log.warn(DATABASE_UNAVAILABLE, { activityType, attempt, workflowId: workflowExecution?.workflowId, code });
}

/** The error an activity should throw for `err`: a typed non-retryable failure, or `err` itself. */
export function asActivityFailure(err: unknown): unknown {
  const refusal = permanentDatabaseError(err);
  if (!refusal) {
    const transient = transientDatabaseError(err);
    if (transient) warnUnavailable(transient);
    return err;
  }
  // The description names codes and constraints only; PostgreSQL's own message may quote the value.
  return ApplicationFailure.create({ type: refusal.type, nonRetryable: true, message: `The database refused the query for good: ${refusal.description}` });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any arguments; the wrapper only forwards them
type ActivityFunction = (...args: any[]) => Promise<unknown>;

/** The same activities, each classifying the database errors it throws (see asActivityFailure). */
export function withDatabaseFailures<T extends Record<string, ActivityFunction>>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (...args: unknown[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw asActivityFailure(err);
      }
    },
  ]);
  return Object.fromEntries(wrapped) as T;
}
