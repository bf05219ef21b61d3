/**
 * The channel test ("verify credentials and send a test message"): its workflow's input, result
 * and state, and the rule for which providers serve a channel, shared by the API (to refuse a
 * channel nobody serves) and the activities (to verify exactly the providers a send would try).
 */
import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { type DeliveryFailure, globalEntryId, type MessageOutcome, type ProviderEntryRef, type ProviderSource } from './message-delivery';
import { type Channel, type ChannelSettings, channelSettingsSchema, type DeliveryErrorKind } from './messaging';

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

/**
 * The provider entries that serve a channel, in the order a delivery tries them: the clinic's own
 * chain, then the platform's when the clinic has none or falls back to it. Mirrors prepareDelivery.
 */
export function servingProviders(
  clinic: { providers: Array<{ id: string; label: string; provider: string }>; settings: unknown } | null,
  global: { providers: Array<{ provider: string }>; settings?: unknown } | undefined,
): { providers: ProviderEntryRef[]; settings: ChannelSettings } {
  const settings = channelSettingsSchema.parse(clinic?.settings ?? global?.settings ?? {});
  const providers: ProviderEntryRef[] = (clinic?.providers ?? []).map(({ id, label, provider }) => ({ entryId: id, label, provider, source: 'clinic' }));
  if (!clinic || settings.fallbackToGlobal) {
    (global?.providers ?? []).forEach(({ provider }, i) => providers.push({ entryId: globalEntryId(provider, i), label: `platform ${provider}`, provider, source: 'global' }));
  }
  return { providers, settings };
}

const globalEntrySchema = z.object({ providers: z.array(z.object({ provider: z.string() })), settings: z.record(z.string(), z.unknown()).optional() });

/**
 * Provider names and settings of one channel of GLOBAL_MESSAGING_CONFIG, for code that must not
 * hold the credentials (the API). The worker validates the whole entry at start-up.
 */
export function globalChannelEntry(raw: Record<string, unknown>, channel: Channel) {
  const parsed = globalEntrySchema.safeParse(raw[channel]);
  return parsed.success ? parsed.data : undefined;
}
