/** Inputs, plan and results of the message delivery workflow: ids, channel and provider names only. */
import { defineQuery } from '@temporalio/workflow';
import { type Channel } from './messaging';

export interface MessageDeliveryInput {
  clinicId: string;
  messageId: string;
}

export interface RateLimits {
  perSecond?: number;
  perMinute?: number;
  perHour?: number;
  perDay?: number;
}

/** One channel of the message's channel chain, with the providers to try in order. */
export interface DeliveryStep {
  channel: Channel;
  providers: Array<{ provider: string; source: 'clinic' | 'global' }>;
  /** Tries per provider before moving on to the next. */
  retryAttempts: number;
  limits: RateLimits;
}

export interface DeliveryFailure {
  channel: Channel;
  provider?: string;
  /** A ProviderError kind, or why a channel or provider was skipped. */
  kind: string;
  code?: string;
}

export type DeliveryPlan = { steps: DeliveryStep[]; skipped: DeliveryFailure[]; suppressed: boolean };

export type MessageOutcome = 'DELIVERED' | 'FAILED' | 'SUPPRESSED';

export interface MessageDeliveryResult {
  status: MessageOutcome;
  channel?: Channel;
  provider?: string;
  failures: DeliveryFailure[];
}

export type MessageDeliveryState =
  | { stage: 'planning' }
  | { stage: 'waiting-for-rate-limit'; channel: Channel; untilMs: number }
  | { stage: 'sending'; channel: Channel; provider: string }
  | { stage: 'finished'; result: MessageDeliveryResult };

export const messageDeliveryStateQuery = defineQuery<MessageDeliveryState>('messageDeliveryState');

/** Skip reasons decided before any provider is called. */
export const SKIP = {
  noAddress: 'NO_ADDRESS',
  suppressed: 'SUPPRESSED',
  optedOut: 'OPTED_OUT',
  noProvider: 'NO_PROVIDER',
  disabled: 'CHANNEL_DISABLED',
  circuitOpen: 'CIRCUIT_OPEN',
} as const;

export interface ChannelPreferences {
  preferredChannels: Channel[];
  optedOutChannels: Channel[];
}

/**
 * The order a message tries its channels in, by the patient's own say: channels the patient
 * prefers come first (in the patient's order), the message's other channels keep the sender's
 * order, and channels the patient opted out of are not tried at all. The message still decides
 * which channels are allowed: a preference never adds a channel the sender did not choose.
 */
export function channelsByPreference(messageChannels: readonly Channel[], patient: ChannelPreferences | null): { ordered: Channel[]; optedOut: Channel[] } {
  if (!patient) return { ordered: [...messageChannels], optedOut: [] };
  const optedOut = messageChannels.filter((c) => patient.optedOutChannels.includes(c));
  const allowed = messageChannels.filter((c) => !optedOut.includes(c));
  const preferred = patient.preferredChannels.filter((c) => allowed.includes(c));
  return { ordered: [...preferred, ...allowed.filter((c) => !preferred.includes(c))], optedOut };
}
