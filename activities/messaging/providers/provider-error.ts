import { type DeliveryErrorKind, isPermanent } from '../../../domain/messaging';

/**
 * The one error a provider adapter throws. Adapters translate every vendor answer (SDK error,
 * HTTP status, SMTP reply code, network failure) into a kind; nothing vendor-specific escapes.
 * Messages name the vendor's code but never credentials, recipients or message content.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly kind: DeliveryErrorKind,
    /** The vendor's own code or status, for the delivery log (e.g. "twilio:21211", "smtp:550", "http:503"). */
    readonly code: string,
    message: string,
    readonly options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get permanent(): boolean {
    return isPermanent(this.kind);
  }
}

/** Network-level failures (refused, reset, timed out, DNS) are transient whatever the vendor. */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKET', 'ECONNECTION', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET'].includes(code);
}

/** The usual reading of an HTTP status; adapters refine it with the vendor's error codes. */
export function kindForHttpStatus(status: number): DeliveryErrorKind {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401 || status === 403) return 'AUTH';
  if (status >= 500 || status === 408) return 'TRANSIENT';
  return 'REJECTED';
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
