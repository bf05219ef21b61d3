/** Messaging vocabulary shared by the API, the delivery workflow and the provider adapters. */
import { z } from 'zod';

export const CHANNELS = ['email', 'sms', 'whatsapp', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * How a provider failed, decided at the adapter edge from the vendor's own answer.
 * Transient kinds are retried with backoff; permanent kinds move on to the next provider or
 * channel at once (DESIGN.md §3).
 */
export const DELIVERY_ERROR_KINDS = {
  /** Timeouts, refused connections, 5xx: try again later. */
  TRANSIENT: 'transient',
  /** 429 or the vendor's own throttling: try again after retryAfterMs. */
  RATE_LIMITED: 'transient',
  /** The address, number or device token cannot receive messages. */
  INVALID_RECIPIENT: 'permanent',
  /** Credentials rejected or lacking permission: no retry will fix that. */
  AUTH: 'permanent',
  /** The vendor refuses this message (content, template, sender not allowed). */
  REJECTED: 'permanent',
  /** The recipient opted out at the vendor (e.g. replied STOP). */
  UNSUBSCRIBED: 'permanent',
} as const;
export type DeliveryErrorKind = keyof typeof DELIVERY_ERROR_KINDS;

export function isPermanent(kind: DeliveryErrorKind): boolean {
  return DELIVERY_ERROR_KINDS[kind] === 'permanent';
}

const positive = z.number().int().positive();

/** A clinic's delivery settings for one channel, with their defaults. */
export const channelSettingsSchema = z.object({
  rateLimits: z
    .object({ perMinute: positive.optional(), perHour: positive.optional(), perDay: positive.optional(), burst: positive.optional().describe('per second') })
    .default({}),
  /** Attempts per provider before the next provider of the chain is tried. */
  retryAttempts: z.number().int().min(1).max(10).default(3),
  defaultLanguage: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default('en'),
  /** Use the platform's global default provider when every provider of the clinic's chain fails. */
  fallbackToGlobal: z.boolean().default(true),
});
export type ChannelSettings = z.output<typeof channelSettingsSchema>;
