/** Inputs, plan and results of the message delivery workflow: ids, channel and provider names only. */
import { defineQuery } from '@temporalio/workflow';
import { type Channel } from './messaging';

export interface MessageDeliveryInput {
  clinicId: string;
  messageId: string;
  /**
   * The first try made at once by whoever wrote the message, when it failed: the delivery goes on
   * with that try's run of the chain instead of trying the same entry again from the start.
   */
  firstTry?: FirstTryFailure;
}

/** A failed first try: the entry it tried, in which run, and how it failed (permanent or not). */
export interface FirstTryFailure extends DeliveryFailure {
  channel: Channel;
  entryId: string;
  round: number;
  permanent: boolean;
}

export interface RateLimits {
  perSecond?: number;
  perMinute?: number;
  perHour?: number;
  perDay?: number;
}

export type ProviderSource = 'clinic' | 'global';

/**
 * One entry of a channel's provider chain: a chain may hold the same provider type twice (two SMTP
 * accounts, two Twilio numbers), so attempts, circuits and health are kept per entry, by its id,
 * and shown with the label the clinic gave it.
 */
export interface ProviderEntryRef {
  entryId: string;
  label: string;
  /** The provider type (smtp, twilio…), which picks the adapter. */
  provider: string;
  source: ProviderSource;
}

/** The entry id of the platform's global provider at `index` of its channel's chain. */
export const globalEntryId = (provider: string, index: number) => `global:${provider}:${index}`;

/** One channel of the message's channel chain, with the provider entries to try in order. */
export interface DeliveryStep {
  channel: Channel;
  providers: ProviderEntryRef[];
  /** Tries per provider before moving on to the next. */
  retryAttempts: number;
  limits: RateLimits;
}

export interface DeliveryFailure {
  channel: Channel;
  entryId?: string;
  label?: string;
  provider?: string;
  /** A ProviderError kind, or why a channel or provider was skipped. */
  kind: string;
  code?: string;
  /** The run of the chain it happened in. */
  round?: number;
}

export interface DeliveryPlan {
  steps: DeliveryStep[];
  skipped: DeliveryFailure[];
  suppressed: boolean;
  /** Epoch ms past which the message is useless and is never sent. */
  deadlineMs: number;
  /** Runs of the chain before this one (a message an admin ran again keeps counting). */
  roundsBefore: number;
}

export type MessageOutcome = 'DELIVERED' | 'FAILED' | 'SUPPRESSED' | 'EXPIRED';

export interface MessageDeliveryResult {
  status: MessageOutcome;
  channel?: Channel;
  provider?: string;
  entryId?: string;
  label?: string;
  /** Runs of the chain this delivery made. */
  rounds?: number;
  failures: DeliveryFailure[];
}

export type MessageDeliveryState =
  | { stage: 'planning' }
  | { stage: 'waiting-for-rate-limit'; channel: Channel; untilMs: number }
  | { stage: 'sending'; channel: Channel; provider: string; entryId: string; label: string; round: number }
  | { stage: 'retrying'; round: number; nextAttemptAtMs: number; deadlineMs: number; failures: DeliveryFailure[] }
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

/** What one send activity reports when it did not fail: taken, or held back by a circuit or the rate limit. */
export type SendOutcome =
  | { outcome: 'accepted'; providerMessageId: string }
  | { outcome: 'circuit-open'; reopensAtMs: number }
  | { outcome: 'rate-limited'; waitMs: number };

/** How long a message waits after a run of its chain failed for now: 30 s, 2 min, 10 min, 30 min, then hourly. */
export const RETRY_PAUSES_MS = [30_000, 120_000, 600_000, 1_800_000, 3_600_000] as const;

export function retryPauseMs(failedRounds: number): number {
  return RETRY_PAUSES_MS[Math.min(Math.max(failedRounds, 1), RETRY_PAUSES_MS.length) - 1]!;
}

const PERMANENT_KINDS = new Set(['INVALID_RECIPIENT', 'AUTH', 'REJECTED', 'UNSUBSCRIBED']);

/**
 * After a run of the chain delivered nothing: 'final' when every route failed for good (a bad
 * address, an opt-out, every provider rejecting the credentials or the message), so no pause can
 * help; otherwise 'retry'. Routes skipped by an open circuit or failing transiently may recover.
 */
export function roundVerdict(failures: readonly DeliveryFailure[]): 'final' | 'retry' {
  const tried = failures.filter((f) => f.entryId !== undefined);
  if (tried.length === 0) return 'final';
  return tried.every((f) => PERMANENT_KINDS.has(f.kind)) ? 'final' : 'retry';
}

/**
 * When the next run starts: after the pause for this many failed runs, or as soon as the earliest
 * open circuit lets a probe through when every route was held back by circuits (no pause is owed
 * then: nothing was tried). Null when the deadline comes first: the message expires.
 */
export function nextRunAtMs(input: { nowMs: number; failedRounds: number; deadlineMs: number; allCircuitsOpen: boolean; earliestReopenMs?: number }): number | null {
  const { nowMs, failedRounds, deadlineMs, allCircuitsOpen, earliestReopenMs } = input;
  const at = allCircuitsOpen && earliestReopenMs !== undefined ? Math.max(earliestReopenMs, nowMs + 1_000) : nowMs + retryPauseMs(failedRounds);
  return at < deadlineMs ? at : null;
}

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
