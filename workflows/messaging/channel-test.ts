import { ActivityFailure, ApplicationFailure, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type ChannelTestInput, type ChannelTestResult, type ChannelTestState, channelTestStateQuery, type ProviderVerification } from '../../domain/channel-test';
import { messageDeliveryStart } from '../../domain/temporal';
import { messageDeliveryWorkflow } from './message-delivery';

// An admin is waiting for the answer: a couple of quick tries, not the usual patient backoff.
const { verifyChannelProviders } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 2 },
});

/**
 * A clinic admin's "test this channel": checks every provider's credentials (without sending),
 * then delivers a real test message through the normal delivery workflow, as a child, so the
 * test exercises the same chain, fallbacks, circuits and delivery log as any patient message.
 * The delivery runs even when verification fails: the admin sees both answers side by side.
 */
export async function channelTestWorkflow({ clinicId, channel, messageId }: ChannelTestInput): Promise<ChannelTestResult> {
  let state: ChannelTestState = { stage: 'verifying' };
  setHandler(channelTestStateQuery, () => state);

  let verification: ProviderVerification[] = [];
  let verificationError: string | undefined;
  try {
    verification = await verifyChannelProviders({ clinicId, channel });
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    verificationError = cause instanceof ApplicationFailure && cause.type ? cause.type : 'TRANSIENT';
  }

  state = { stage: 'delivering' };
  const { status, channel: deliveredOn, provider, label, failures } = await executeChild(messageDeliveryWorkflow, messageDeliveryStart(clinicId, messageId));
  const result: ChannelTestResult = {
    messageId,
    verification,
    ...(verificationError ? { verificationError } : {}),
    delivery: { status, ...(deliveredOn ? { channel: deliveredOn } : {}), ...(provider ? { provider } : {}), ...(label ? { label } : {}), failures },
  };
  state = { stage: 'finished', result };
  return result;
}
