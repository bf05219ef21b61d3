import { heartbeat } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

/** Starts at once on the server: enough to hide a start's round trip, few enough not to flood it. */
export const STARTS_IN_PARALLEL = 25;

/**
 * Starts one workflow per item from inside an activity, STARTS_IN_PARALLEL at a time, heartbeating
 * as it goes. A workflow that exists already (the activity retried, its caller restarted) is left
 * as it is; the ids decide. Returns how many this call started.
 */
export async function startEach<T>(items: readonly T[], start: (item: T) => Promise<unknown>): Promise<number> {
  let started = 0;
  for (let i = 0; i < items.length; i += STARTS_IN_PARALLEL) {
    await Promise.all(
      items.slice(i, i + STARTS_IN_PARALLEL).map(async (item) => {
        try {
          await start(item);
          started++;
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }
      }),
    );
    heartbeat(i);
  }
  return started;
}
