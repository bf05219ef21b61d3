/**
 * Writes a Schedule only when Temporal's copy differs from what the code wants: describe, compare,
 * then create or update. Many workers (and the compose bootstrap) run this at once at start-up, so
 * a create that loses the race ("already running") is not an error: the Schedule is described again
 * and compared with the winner's. Concurrent updates all write the same wanted Schedule, so the
 * last one winning (the SDK sends no conflict token) changes nothing.
 *
 * Describing a Schedule asks Temporal's scheduler workflow for its state. Just after the Schedule
 * was created (by another writer) or just after the server restarted, that workflow may not have
 * run yet, and the server answers DEADLINE_EXCEEDED. The SDK retries UNAVAILABLE and
 * RESOURCE_EXHAUSTED itself but not deadlines, so those are asked again here, a few times.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { type Client, isGrpcDeadlineError, ScheduleAlreadyRunning, type ScheduleDescription, type ScheduleHandle, ScheduleNotFoundError, type ScheduleOptions } from '@temporalio/client';
// The SDK's own spec encoding and decoding: the wanted spec compared in the form describe() returns.
import { decodeOptionalStructuredCalendarSpecs, encodeOptionalStructuredCalendarSpecs } from '@temporalio/client/lib/schedule-helpers';
import { msOptionalToNumber, msToNumber } from '@temporalio/common/lib/time';

export type ScheduleWrite = 'created' | 'updated' | 'unchanged';

export interface AppliedSchedule {
  write: ScheduleWrite;
  /** Temporal's copy as it was found (absent when it had to be created). */
  found?: ScheduleDescription;
}

/** Attempts at a Schedule when other writers keep winning the race: each retry re-reads it. */
const RACE_ATTEMPTS = 3;
/** Attempts at a Schedule whose describe or update keeps timing out on the server. */
export const DEADLINE_ATTEMPTS = 4;
/** The pause before asking again after the n-th time-out: n times this. */
const DEADLINE_PAUSE_MS = 1_000;

/** The parts of a Schedule ClinicFlow decides, in one shape for both sides of the comparison. */
function comparable(s: Pick<ScheduleOptions, 'spec' | 'policies' | 'state'> & { action: ScheduleOptions['action'] | ScheduleDescription['action'] }) {
  const { action } = s;
  const attributes = Array.isArray(action.typedSearchAttributes)
    ? action.typedSearchAttributes.map((p) => [p.key.name, p.value])
    : (action.typedSearchAttributes?.getAll() ?? []).map((p) => [p.key.name, p.value]);
  return {
    calendars: decodeOptionalStructuredCalendarSpecs(encodeOptionalStructuredCalendarSpecs(s.spec.calendars ?? [])),
    intervals: (s.spec.intervals ?? []).map((i) => ({ every: msToNumber(i.every), offset: msOptionalToNumber(i.offset) ?? 0 })),
    // Temporal answers '' for a Schedule created without one (UTC).
    timezone: s.spec.timezone || undefined,
    workflowType: typeof action.workflowType === 'string' ? action.workflowType : action.workflowType.name,
    workflowId: action.workflowId,
    taskQueue: action.taskQueue,
    args: action.args ?? [],
    searchAttributes: attributes.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    overlap: s.policies?.overlap,
    catchupWindow: msOptionalToNumber(s.policies?.catchupWindow),
    paused: s.state?.paused ?? false,
    note: s.state?.note ?? '',
  };
}

export function scheduleMatches(found: ScheduleDescription, wanted: ScheduleOptions): boolean {
  return isDeepStrictEqual(comparable(found), comparable(wanted));
}

/** Creates the Schedule when absent, updates it when it differs, and leaves it alone otherwise. */
export async function applySchedule(client: Client, wanted: ScheduleOptions): Promise<AppliedSchedule> {
  const handle = client.schedule.getHandle(wanted.scheduleId);
  let races = 0;
  let timeouts = 0;
  for (;;) {
    try {
      return await writeOnce(client, handle, wanted);
    } catch (err) {
      // Every call is safe to repeat: the next attempt describes again and compares first.
      if (isGrpcDeadlineError(err) && ++timeouts < DEADLINE_ATTEMPTS) {
        await sleep(timeouts * DEADLINE_PAUSE_MS);
        continue;
      }
      // Another writer created it first: compare with theirs.
      if (err instanceof ScheduleAlreadyRunning && ++races < RACE_ATTEMPTS) continue;
      if (isUndecodable(err) && ++races < RACE_ATTEMPTS) {
        // Its arguments were encrypted with a key that is no longer in the ring: no worker could
        // run what it starts either. Replaced by one the current key opens.
        await handle.delete().catch(() => undefined);
        continue;
      }
      throw err;
    }
  }
}

/** One describe, then a create, an update or nothing. */
async function writeOnce(client: Client, handle: ScheduleHandle, wanted: ScheduleOptions): Promise<AppliedSchedule> {
  let found: ScheduleDescription;
  try {
    found = await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    await client.schedule.create(wanted);
    return { write: 'created' };
  }
  if (scheduleMatches(found, wanted)) return { write: 'unchanged', found };
  await handle.update((current) => ({ ...current, spec: wanted.spec, action: wanted.action, policies: wanted.policies, state: { ...current.state, ...wanted.state } }));
  return { write: 'updated', found };
}

/** The payload codec could not open the Schedule's arguments (temporal-config/encryption-codec.ts). */
function isUndecodable(err: unknown): boolean {
  return err instanceof Error && /unable to authenticate data|Unknown payload encryption key id|Encrypted payload is truncated/.test(err.message);
}
