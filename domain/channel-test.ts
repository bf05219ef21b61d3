/**
 * The channel test ("verify credentials and send a test message"): its workflow's input, result
 * and state. Which providers serve a channel is serving-providers.ts (zod, which the workflow
 * sandbox never loads).
 */
import { defineQuery } from '@temporalio/workflow';
import { type DeliveryFailure, type MessageOutcome, type ProviderEntryRef, type ProviderSource } from './message-delivery';
import { type Channel, type DeliveryErrorKind } from './messaging';

export const CHANNEL_TEST_CATEGORY = 'channel-test';
export const CHANNEL_TEST_TEMPLATE = 'test-message';

export interface ChannelTestInput {
  clinicId: string;
  channel: Channel;
  /** The Message row holding the recipient; the API created it. */
  messageId: string;
}

export type { ProviderSource };

/** One provider entry's credential and connectivity check. */
export interface ProviderVerification extends ProviderEntryRef {
  ok: boolean;
  kind?: DeliveryErrorKind;
  code?: string;
}

export interface ChannelTestResult {
  messageId: string;
  verification: ProviderVerification[];
  /** Set when the verification itself could not run (not when a provider failed it). */
  verificationError?: string;
  delivery: { status: MessageOutcome; channel?: Channel; provider?: string; label?: string; failures: DeliveryFailure[] };
}

export type ChannelTestState = { stage: 'verifying' } | { stage: 'delivering' } | { stage: 'finished'; result: ChannelTestResult };

export const channelTestStateQuery = defineQuery<ChannelTestState>('channelTestState');
