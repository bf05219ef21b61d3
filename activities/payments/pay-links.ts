/**
 * The payment link in a reminder: /api/v1/pay/<token>, where the token names the reminder and is
 * signed, so nobody can guess another patient's link. Following it creates a Stripe Checkout
 * Session for what is owed at that moment (Checkout Sessions expire within a day; a reminder's
 * follow-ups come weeks later and must still work).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Config } from '../../domain/config';

const signer = (secret: string) => createHmac('sha256', secret).update('clinicflow pay links').digest();

function signature(secret: string, reminderId: string): Buffer {
  return createHmac('sha256', signer(secret)).update(reminderId).digest().subarray(0, 18);
}

export function payToken(secret: string, reminderId: string): string {
  return `${Buffer.from(reminderId).toString('base64url')}.${signature(secret, reminderId).toString('base64url')}`;
}

/** The reminder a token names, or null for a token that was not made with this secret. */
export function reminderOfPayToken(secret: string, token: string): string | null {
  const [id, sig] = token.split('.');
  if (!id || !sig) return null;
  const reminderId = Buffer.from(id, 'base64url').toString();
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(secret, reminderId);
  return given.length === expected.length && timingSafeEqual(given, expected) ? reminderId : null;
}

export const payUrl = (baseUrl: string, secret: string, reminderId: string) => `${baseUrl.replace(/\/$/, '')}/api/v1/pay/${payToken(secret, reminderId)}`;

export interface PayLinkSettings {
  /** Where patients reach the API. */
  baseUrl: string;
  /** Signs the links. */
  secret: string;
}

/** PUBLIC_API_URL (or the local API) and a key derived from JWT_SECRET, the same in the API and the worker. */
export function payLinkSettings(config: Pick<Config, 'PUBLIC_API_URL' | 'API_PORT' | 'JWT_SECRET'>): PayLinkSettings {
  return { baseUrl: config.PUBLIC_API_URL ?? `http://localhost:${config.API_PORT}`, secret: config.JWT_SECRET };
}
