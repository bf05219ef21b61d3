/**
 * The two calls SNS verification makes to AWS, as used in production (tests inject their own
 * through ApiDeps): fetching a signing certificate and confirming a subscription. Both refuse any
 * URL that is not an SNS endpoint, even though callers check too: a message names these URLs, and
 * the API must not be made to fetch arbitrary addresses.
 */
import { isSnsCertificateUrl, isSnsUrl } from './sns';

const TIMEOUT_MS = 5_000;
/** SNS signs with a handful of certificates per region, rotated rarely; bounded so odd URLs cannot grow it. */
const CACHE_LIMIT = 50;
const certificates = new Map<string, string>();

export async function fetchSnsCertificate(url: string): Promise<string> {
  if (!isSnsCertificateUrl(url)) throw new Error('Not an SNS signing certificate URL');
  const cached = certificates.get(url);
  if (cached) return cached;
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`SNS certificate fetch answered HTTP ${response.status}`);
  const pem = await response.text();
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('SNS certificate fetch returned no certificate');
  if (certificates.size >= CACHE_LIMIT) certificates.delete(certificates.keys().next().value as string);
  certificates.set(url, pem);
  return pem;
}

/** Visiting SubscribeURL is how an endpoint accepts an SNS subscription. */
export async function confirmSnsSubscription(subscribeUrl: string): Promise<void> {
  if (!isSnsUrl(subscribeUrl)) throw new Error('Not an SNS subscription URL');
  const response = await fetch(subscribeUrl, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`SNS subscription confirmation answered HTTP ${response.status}`);
}
