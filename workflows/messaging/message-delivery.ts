import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  type DeliveryFailure,
  type DeliveryStep,
  type MessageDeliveryInput,
  type MessageDeliveryResult,
  type MessageDeliveryState,
  messageDeliveryStateQuery,
  SKIP,
} from '../../domain/message-delivery';
import { type DeliveryErrorKind, isPermanent } from '../../domain/messaging';

const quick = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Sends with the retries the clinic chose for the channel; permanent errors are never retried. */
function sender(step: DeliveryStep) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: step.retryAttempts },
  }).sendThroughProvider;
}

/** What the send activity's failure says: its ProviderError kind and vendor code. */
function failureOf(err: unknown): { kind: DeliveryErrorKind; code?: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type) {
    const [code] = (cause.details ?? []) as Array<string | undefined>;
    return { kind: cause.type as DeliveryErrorKind, code };
  }
  return { kind: 'TRANSIENT' };
}

/**
 * Delivers one message: for each channel of its chain (e.g. WhatsApp, then SMS, then email),
 * each provider of the clinic's chain in turn (primary, then fallbacks), skipping providers
 * whose circuit is open and waiting for the clinic's rate limit rather than failing. Transient
 * errors are retried; permanent ones move on at once. Every attempt lands in the delivery log.
 */
export async function messageDeliveryWorkflow({ clinicId, messageId }: MessageDeliveryInput): Promise<MessageDeliveryResult> {
  let state: MessageDeliveryState = { stage: 'planning' };
  setHandler(messageDeliveryStateQuery, () => state);

  const finish = async (result: MessageDeliveryResult) => {
    await quick.finishMessage({ clinicId, messageId, result });
    state = { stage: 'finished', result };
    return result;
  };

  const plan = await quick.prepareDelivery({ clinicId, messageId });
  const failures: DeliveryFailure[] = [...plan.skipped];
  if (plan.suppressed) return finish({ status: 'SUPPRESSED', failures });

  for (const step of plan.steps) {
    const send = sender(step);
    for (const { provider, source } of step.providers) {
      if (!(await quick.circuitAllows({ clinicId, channel: step.channel, provider, at: Date.now() }))) {
        failures.push({ channel: step.channel, provider, kind: SKIP.circuitOpen });
        continue;
      }
      await waitForRateLimit(step);
      state = { stage: 'sending', channel: step.channel, provider };
      try {
        await send({ clinicId, messageId, channel: step.channel, provider, source });
        await quick.recordCircuit({ clinicId, channel: step.channel, provider, healthy: true, at: Date.now() });
        return finish({ status: 'DELIVERED', channel: step.channel, provider, failures });
      } catch (err) {
        const { kind, code } = failureOf(err);
        failures.push({ channel: step.channel, provider, kind, code });
        // Only the provider's own trouble counts against it; a bad address is not its fault.
        if (!isPermanent(kind) || kind === 'AUTH') {
          await quick.recordCircuit({ clinicId, channel: step.channel, provider, healthy: false, at: Date.now() });
        }
        // Another provider of the same channel cannot reach an address that does not exist or opted out.
        if (kind === 'INVALID_RECIPIENT' || kind === 'UNSUBSCRIBED') break;
      }
    }
  }
  return finish({ status: 'FAILED', failures });

  async function waitForRateLimit(step: DeliveryStep): Promise<void> {
    for (;;) {
      const { waitMs } = await quick.reserveSendSlot({ clinicId, channel: step.channel, limits: step.limits, at: Date.now() });
      if (waitMs <= 0) return;
      state = { stage: 'waiting-for-rate-limit', channel: step.channel, untilMs: Date.now() + waitMs };
      await sleep(waitMs);
    }
  }
}
