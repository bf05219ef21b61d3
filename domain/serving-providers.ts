/**
 * Which providers serve a channel, shared by the API (to refuse a channel nobody serves) and the
 * activities (to verify exactly the providers a send would try).
 */
import { z } from 'zod';
import { globalEntryId, type ProviderEntryRef } from './message-delivery';
import { type Channel, type ChannelSettings, channelSettingsSchema } from './messaging';
import { text } from './text';

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

const globalEntrySchema = z.object({ providers: z.array(z.object({ provider: text() })), settings: z.record(text(), z.unknown()).optional() });

/**
 * Provider names and settings of one channel of GLOBAL_MESSAGING_CONFIG, for code that must not
 * hold the credentials (the API). The worker validates the whole entry at start-up.
 */
export function globalChannelEntry(raw: Record<string, unknown>, channel: Channel) {
  const parsed = globalEntrySchema.safeParse(raw[channel]);
  return parsed.success ? parsed.data : undefined;
}
