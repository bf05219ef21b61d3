import { ActivityFailure, allHandlersFinished, ApplicationFailure, log, sleep, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import { DATABASE_UNAVAILABLE } from '../../domain/database-failures';
import { COMMIT_WINDOW_MS } from '../../domain/temporal';

/** Versions of the appointment and reschedule workflows that load through loadOnceCommitted. */
export const LOAD_ONCE_COMMITTED_PATCH = 'load-once-committed';

/** The longest pause between two tries while the database does not answer. */
const MAX_OUTAGE_PAUSE_MS = 5 * 60_000;
/** A day-long outage at this pace writes about 3,000 events; past this many the run continues as new. */
const HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW = 2_000;

export interface LoadOptions {
  /** The failure type `load` reports when the database answered that the row is not there. */
  notFoundType: string;
  /** Starts the workflow again from its input (the commit window stays measured from the chain's start). */
  continueAsNew: () => Promise<never>;
}

/**
 * Loads the row this workflow was started for, as soon as its booking's transaction has committed.
 *
 * - The row is there: returns it.
 * - The database answered that it is not there: asks again, with backoff, until the commit window
 *   measured from the workflow chain's start has passed; only then answers undefined (the booking
 *   never committed).
 * - The database did not answer (`load` gave up its few quick retries): logs DATABASE_UNAVAILABLE
 *   and tries again after a pause that doubles up to MAX_OUTAGE_PAUSE_MS, for as long as the outage
 *   lasts. Workflow timers rather than activity retries, so a long outage is visible in history.
 * - A permanent refusal (a non-retryable failure): fails the workflow.
 */
export async function loadOnceCommitted<T>(load: () => Promise<T>, { notFoundType, continueAsNew }: LoadOptions): Promise<T | undefined> {
  const commitBy = workflowInfo().startTime.getTime() + COMMIT_WINDOW_MS;
  let absentPause = 1_000;
  let outagePause = 5_000;
  for (let failures = 1; ; failures++) {
    let pause: number;
    try {
      return await load();
    } catch (err) {
      // An activity's failure arrives wrapped in an ActivityFailure; a local activity's arrives bare.
      const loadFailed = err instanceof ActivityFailure || err instanceof ApplicationFailure || err instanceof TimeoutFailure;
      const cause = err instanceof ActivityFailure ? err.cause : err;
      if (cause instanceof ApplicationFailure && cause.type === notFoundType) {
        const left = commitBy - Date.now();
        if (left <= 0) return undefined;
        pause = Math.min(absentPause, left);
        absentPause = Math.min(absentPause * 2, 15_000);
      } else if (loadFailed && !(cause instanceof ApplicationFailure && cause.nonRetryable)) {
        log.warn(DATABASE_UNAVAILABLE, { waitingFor: 'the row this workflow was started for', failures, nextTryInMs: outagePause });
        pause = outagePause;
        outagePause = Math.min(outagePause * 2, MAX_OUTAGE_PAUSE_MS);
      } else {
        throw err;
      }
    }
    await sleep(pause);
    if (workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW && allHandlersFinished()) await continueAsNew();
  }
}
