/** Messaging vocabulary shared by the API, the delivery workflow and the provider adapters. */

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
