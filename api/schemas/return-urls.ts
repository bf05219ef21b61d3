/**
 * Where Stripe sends a patient back after paying or cancelling. Stripe follows these URLs in the
 * patient's browser, so a javascript:, data: or stranger's URL would turn a clinic's payment link
 * into a phishing or script-injection link: https only (http for a local installation), and only
 * on origins the clinic allows (Clinic.settings.paymentReturnOrigins) or the API's own.
 */
import { text } from '../../domain/text';
import { z } from '../openapi/zod';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function isHttpsOrLocal(value: string): boolean {
  const url = parseUrl(value);
  // 253: the longest name DNS can resolve; Stripe refuses longer ones, which would surface as its outage.
  if (!url || url.hostname.length > 253) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
}

export const returnUrl = text(z.url())
  .max(2048)
  .refine(isHttpsOrLocal, { message: 'must be an https URL (http only for localhost) with a host name of at most 253 characters' });

/** An origin a clinic lets Stripe send patients back to, e.g. https://www.sunrise-clinic.example. */
export const returnOrigin = returnUrl.refine((u) => parseUrl(u)?.origin === u.replace(/\/$/, ''), { message: 'must be an origin: scheme, host and port only' });

/** The origins a clinic allows for return URLs: its own list and the API's public origin. */
export function allowedReturnOrigins(clinicSettings: unknown, apiUrl: string): Set<string> {
  const listed = (clinicSettings as { paymentReturnOrigins?: unknown } | null)?.paymentReturnOrigins;
  const origins = Array.isArray(listed) ? listed.filter((o): o is string => typeof o === 'string') : [];
  return new Set([...origins, apiUrl].map((u) => parseUrl(u)?.origin).filter((o): o is string => !!o));
}
