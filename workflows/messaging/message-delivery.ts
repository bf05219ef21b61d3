import { ActivityFailure, ApplicationFailure, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  type DeliveryFailure,
  type DeliveryPlan,
  type DeliveryStep,
  type FirstTryFailure,
  type MessageDeliveryInput,
  type MessageDeliveryResult,
  type MessageDeliveryState,
  messageDeliveryStateQuery,
  nextRunAtMs,
  type ProviderEntryRef,
  roundVerdict,
  SKIP,
} from '../../domain/message-delivery';

// The short database steps of a delivery run beside the workflow, not as tasks on the server.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Sends with the retries the clinic chose for the channel; permanent errors are never retried.
 * Each attempt refuses to start past the message's deadline (the activity checks it).
 */
function sender(step: DeliveryStep, triedBefore = 0) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: step.retryAttempts - triedBefore },
  }).sendThroughProvider;
}

/** What the send activity's failure says: its ProviderError kind and vendor code (a timeout is transient). */
function failureOf(err: unknown): { kind: string; code?: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) {
    const [code] = (cause.details ?? []) as Array<string | undefined>;
    return { kind: cause.type, code };
  }
  return { kind: 'TRANSIENT' };
}

type RunOutcome = { delivered: { step: DeliveryStep; entry: ProviderEntryRef } } | { delivered: null; earliestReopenMs?: number; allCircuitsOpen: boolean };

/**
 * Delivers one message. A run of its chain tries each channel (e.g. WhatsApp, then SMS, then
 * email) and each provider entry of the clinic's chain in turn (primary, then fallbacks): an open
 * circuit moves on to the next entry, the clinic's rate limit is waited for, transient errors are
 * retried, permanent ones move on at once. When a run delivers nothing for now (outages, open
 * circuits), the message waits (RETRYING: 30 s, 2 min, 10 min, 30 min, then hourly, or until the
 * earliest circuit lets a probe through) and runs the chain again, until its deadline: then it is
 * EXPIRED, never sent late. Only permanent outcomes end it early (FAILED).
 */
export async function messageDeliveryWorkflow({ clinicId, messageId, firstTry }: MessageDeliveryInput): Promise<MessageDeliveryResult> {
  let state: MessageDeliveryState = { stage: 'planning' };
  setHandler(messageDeliveryStateQuery, () => state);

  const failures: DeliveryFailure[] = [];
  let rounds = 0;
  const finish = async (result: Omit<MessageDeliveryResult, 'failures' | 'rounds'>) => {
    const full: MessageDeliveryResult = { ...result, rounds, failures };
    await local.finishMessage({ clinicId, messageId, result: full });
    state = { stage: 'finished', result: full };
    return full;
  };

  let round = 0;
  for (let failedRounds = 0; ; failedRounds++) {
    const plan = await local.prepareDelivery({ clinicId, messageId });
    // Counted on from earlier runs of the message (an admin may have run it again); a failed first
    // try began the first run, which this one goes on with.
    const goingOn = failedRounds === 0 ? firstTry : undefined;
    round = goingOn ? goingOn.round : Math.max(round, plan.roundsBefore) + 1;
    rounds++;
    if (plan.suppressed) return finish({ status: 'SUPPRESSED' });
    if (Date.now() >= plan.deadlineMs) return finish({ status: 'EXPIRED' });

    const roundFailures: DeliveryFailure[] = plan.skipped.map((s) => ({ ...s, round }));
    const outcome = await runChain(plan, round, roundFailures, goingOn);
    failures.push(...roundFailures);
    if (outcome.delivered) {
      const { step, entry } = outcome.delivered;
      return finish({ status: 'DELIVERED', channel: step.channel, provider: entry.provider, entryId: entry.entryId, label: entry.label });
    }
    if (roundFailures.some((f) => f.kind === 'EXPIRED') || Date.now() >= plan.deadlineMs) return finish({ status: 'EXPIRED' });
    if (roundVerdict(roundFailures) === 'final') return finish({ status: 'FAILED' });

    const nowMs = Date.now();
    const nextAt = nextRunAtMs({ nowMs, failedRounds: failedRounds + 1, deadlineMs: plan.deadlineMs, ...outcome });
    // No run fits before the deadline: the message waits for it, then expires (it may still be run again by an admin).
    const wakeAt = nextAt ?? plan.deadlineMs;
    state = { stage: 'retrying', round, nextAttemptAtMs: wakeAt, deadlineMs: plan.deadlineMs, failures: roundFailures };
    await local.markMessageRetrying({ clinicId, messageId, nextAttemptAtMs: wakeAt, failures: roundFailures });
    await sleep(Math.max(wakeAt - nowMs, 0));
    if (nextAt === null) return finish({ status: 'EXPIRED' });
  }

  async function runChain(plan: DeliveryPlan, round: number, roundFailures: DeliveryFailure[], goingOn?: FirstTryFailure): Promise<RunOutcome> {
    let earliestReopenMs: number | undefined;
    let tried = 0;
    for (const step of plan.steps) {
      for (const entry of step.providers) {
        const about = { channel: step.channel, entryId: entry.entryId, label: entry.label, provider: entry.provider, round };
        // The entry the first try failed on counts that try: the run moves on as it would have after it.
        const triedBefore = goingOn && goingOn.channel === step.channel && goingOn.entryId === entry.entryId ? 1 : 0;
        if (triedBefore && goingOn) {
          tried++;
          const failure = { ...about, kind: goingOn.kind, ...(goingOn.code ? { code: goingOn.code } : {}) };
          if (goingOn.kind === 'INVALID_RECIPIENT' || goingOn.kind === 'UNSUBSCRIBED') {
            roundFailures.push(failure);
            break;
          }
          if (goingOn.permanent || step.retryAttempts <= triedBefore) {
            roundFailures.push(failure);
            continue;
          }
        }
        state = { stage: 'sending', channel: step.channel, provider: entry.provider, entryId: entry.entryId, label: entry.label, round };
        try {
          const sent = await sendRespectingRateLimit(sender(step, triedBefore), step, entry, plan.deadlineMs, round, triedBefore);
          if (sent.outcome === 'accepted') return { delivered: { step, entry } };
          roundFailures.push({ ...about, kind: SKIP.circuitOpen });
          earliestReopenMs = Math.min(earliestReopenMs ?? Infinity, sent.reopensAtMs);
        } catch (err) {
          if (!triedBefore) tried++;
          const { kind, code } = failureOf(err);
          roundFailures.push({ ...about, kind, ...(code ? { code } : {}) });
          if (kind === 'EXPIRED') return { delivered: null, allCircuitsOpen: false };
          // Another entry of the same channel cannot reach an address that does not exist or opted out.
          if (kind === 'INVALID_RECIPIENT' || kind === 'UNSUBSCRIBED') break;
        }
      }
    }
    return { delivered: null, allCircuitsOpen: tried === 0 && earliestReopenMs !== undefined, ...(earliestReopenMs !== undefined ? { earliestReopenMs } : {}) };
  }

  /** One entry's send; when the clinic's rate limit is full, waits for its window to roll over and asks again. */
  async function sendRespectingRateLimit(send: ReturnType<typeof sender>, step: DeliveryStep, entry: ProviderEntryRef, deadlineMs: number, round: number, triedBefore: number) {
    for (;;) {
      const sent = await send({ clinicId, messageId, channel: step.channel, entry, round, retryAttempts: step.retryAttempts, limits: step.limits, deadlineMs, ...(triedBefore ? { triedBefore } : {}) });
      if (sent.outcome !== 'rate-limited') return sent;
      state = { stage: 'waiting-for-rate-limit', channel: step.channel, untilMs: Date.now() + sent.waitMs };
      await sleep(sent.waitMs);
    }
  }
}
