/**
 * The one reading of a failed HTTP call for every HTTP adapter (fetch, or an SDK over HTTP): the
 * status, Retry-After and network failures become our ProviderError taxonomy here, the same way for
 * every vendor. An adapter only says what its vendor's own error codes mean (a VendorVerdict).
 *
 * Raw errors are never attached as `cause`: SDK errors carry the request, Authorization header
 * included. Vendor texts are never copied into messages: they may quote the recipient or the content.
 */
import { type DeliveryErrorKind, isPermanent } from '../../../domain/messaging';
import { isNetworkError, kindForHttpStatus, ProviderError, retryAfterMs } from './provider-error';

/** Names the vendor in codes ("twilio:21211") and the adapter in messages ("Twilio SMS"). */
export interface Vendor {
  prefix: string;
  label: string;
}

/** What the vendor's error body said, as read by its adapter. */
export interface VendorVerdict {
  /** The vendor's own code, logged as "<prefix>:<code>"; without one the code is "http:<status>". */
  code?: string | number;
  /** What that code means, when it says more than the HTTP status. */
  kind?: DeliveryErrorKind;
  /** Facts safe to log (a parameter name, a trace id), never the vendor's text. */
  detail?: string;
}

/**
 * A non-2xx answer. 401, 429 and 5xx mean the same whatever the body says (refused credentials,
 * throttled, the vendor's trouble); otherwise the vendor's code decides, then the status.
 * Retry-After is kept for anything worth retrying (a 503 may carry one as well as a 429).
 */
export function httpFailure(vendor: Vendor, status: number, retryAfter: string | null | undefined, verdict: VendorVerdict = {}): ProviderError {
  const kind = kindOf(status, verdict.kind);
  const code = verdict.code === undefined || verdict.code === '' ? `http:${status}` : `${vendor.prefix}:${verdict.code}`;
  const detail = verdict.detail ? `, ${verdict.detail}` : '';
  return new ProviderError(kind, code, `${vendor.label}: HTTP ${status} (${code}${detail}), ${kind}`, {
    retryAfterMs: isPermanent(kind) ? undefined : retryAfterMs(retryAfter),
  });
}

function kindOf(status: number, vendorKind: DeliveryErrorKind | undefined): DeliveryErrorKind {
  if (status === 401) return 'AUTH';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'TRANSIENT';
  return vendorKind ?? kindForHttpStatus(status);
}

/**
 * No HTTP answer at all: refused, reset, unresolvable or timed out. Always TRANSIENT; the code
 * names the socket error ("network:ECONNREFUSED"), and every client's timeout is "network:ETIMEDOUT"
 * (fetch's TimeoutError, an SDK's AbortError, axios' ECONNABORTED).
 */
export function networkFailure(vendor: Vendor, err: unknown): ProviderError {
  if (isTimeout(err)) return timeoutFailure(vendor);
  // fetch wraps the socket error in a TypeError's cause; SDKs mostly throw it as it is.
  const socket = [err, (err as { cause?: unknown } | null)?.cause].find(isNetworkError) as { code: string } | undefined;
  if (socket) return new ProviderError('TRANSIENT', `network:${socket.code}`, `${vendor.label}: unreachable (${socket.code})`);
  // Unknown failures are retried too: Temporal's retry policy bounds the cost of being wrong.
  return new ProviderError('TRANSIENT', `${vendor.prefix}:unknown`, `${vendor.label}: call failed (${err instanceof Error ? err.name : typeof err})`);
}

/** The vendor did not answer within our deadline. */
export function timeoutFailure(vendor: Vendor): ProviderError {
  return new ProviderError('TRANSIENT', 'network:ETIMEDOUT', `${vendor.label}: no answer in time`);
}

function isTimeout(err: unknown): boolean {
  const { name, code } = (err ?? {}) as { name?: unknown; code?: unknown };
  return name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

export interface JsonCall {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

/**
 * One JSON call with fetch for the adapters that speak a vendor's REST API directly: answers the
 * parsed body of a 2xx (undefined when empty), throws the ProviderError of anything else.
 * `readError` reads the vendor's error body (already parsed, or undefined) into a verdict.
 */
export async function fetchJson(vendor: Vendor, call: JsonCall, readError: (body: unknown, status: number) => VendorVerdict): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(call.url, {
      method: call.method,
      headers: { accept: 'application/json', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    throw networkFailure(vendor, err);
  }
  const body = parseJson(text);
  if (!response.ok) throw httpFailure(vendor, response.status, response.headers.get('retry-after'), readError(body === unreadable ? undefined : body, response.status));
  if (body === unreadable) throw new ProviderError('TRANSIENT', `${vendor.prefix}:unreadable`, `${vendor.label}: accepted with an unreadable answer`);
  return body;
}

const unreadable = Symbol('unreadable');

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return unreadable;
  }
}
