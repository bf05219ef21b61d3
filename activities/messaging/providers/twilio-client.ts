/**
 * The Twilio SDK as every Twilio adapter (SMS, WhatsApp) needs it: pointed at endpoints.twilio
 * when set, carrying our idempotency key per call, and turning SDK failures into ProviderErrors
 * with the product's own code table. Uses the SDK's supported transport hook (`httpClient`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';
import { type DeliveryErrorKind } from '../../../domain/messaging';
import { httpFailure, networkFailure, type Vendor } from './http-failure';
import { type ProviderError } from './provider-error';

/** What one SDK call carries into the transport (the idempotency key) and out of it (Retry-After). */
interface CallScope {
  idempotencyKey?: string;
  retryAfter?: string;
}
const callScope = new AsyncLocalStorage<CallScope>();

class RebasingRequestClient extends twilio.RequestClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(
    private readonly baseUrl: string | undefined,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
    // Axios picks httpAgent for http:// base URLs (local peers); the SDK only configures httpsAgent.
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    const scope = callScope.getStore();
    // Twilio has no idempotency parameter for Messages and ignores this header; it lets local
    // peers and request logs correlate the retries of one message attempt.
    const headers = scope?.idempotencyKey ? { ...opts.headers, 'X-Idempotency-Key': scope.idempotencyKey } : opts.headers;
    const uri = this.baseUrl ? rebase(opts.uri, this.baseUrl) : opts.uri;
    const response = await super.request({ ...opts, headers, uri });
    // The SDK's RestException drops the headers, so Retry-After is kept here.
    const retryAfter: unknown = (response.headers as Record<string, unknown> | undefined)?.['retry-after'];
    if (scope && typeof retryAfter === 'string') scope.retryAfter = retryAfter;
    return response;
  }

  close(): void {
    this.httpAgent.destroy();
    const httpsAgent: unknown = this.axios.defaults.httpsAgent;
    if (httpsAgent instanceof https.Agent) httpsAgent.destroy();
  }
}

/** Keeps the SDK's path and query, swaps its origin for ours (which may carry a path prefix). */
function rebase(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  return `${baseUrl.replace(/\/+$/, '')}${target.pathname}${target.search}`;
}

export interface TwilioConnection {
  client: twilio.Twilio;
  /** Runs SDK calls; any failure becomes a ProviderError read with `kindByCode`. */
  call<T>(idempotencyKey: string | undefined, fn: (client: twilio.Twilio) => Promise<T>): Promise<T>;
  close(): void;
}

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** endpoints.twilio: a local peer or a proxy; undefined for Twilio itself. */
  baseUrl: string | undefined;
  timeoutMs: number;
  /** Twilio error codes that say more than the HTTP status, for this product. */
  kindByCode: Readonly<Record<number, DeliveryErrorKind>>;
  /** Names the adapter in error messages, e.g. "Twilio WhatsApp". */
  label: string;
}

export function connectTwilio(options: TwilioOptions): TwilioConnection {
  const httpClient = new RebasingRequestClient(options.baseUrl, options.timeoutMs);
  // autoRetry off: retries belong to Temporal's policy, which sees our error kinds.
  const client = twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
  return {
    client,
    async call(idempotencyKey, fn) {
      const scope: CallScope = { idempotencyKey };
      try {
        return await callScope.run(scope, () => fn(client));
      } catch (err) {
        throw twilioProviderError(err, scope.retryAfter, options);
      }
    },
    close: () => httpClient.close(),
  };
}

function twilioProviderError(err: unknown, retryAfter: string | undefined, { kindByCode, label }: TwilioOptions): ProviderError {
  const vendor: Vendor = { prefix: 'twilio', label };
  const { status, code } = (err ?? {}) as { status?: unknown; code?: unknown };
  // A RestException: the HTTP status and, when Twilio sent one, its numeric error code.
  if (typeof status === 'number') {
    const twilioCode = typeof code === 'number' ? code : undefined;
    return httpFailure(vendor, status, retryAfter, { code: twilioCode, kind: twilioCode === undefined ? undefined : kindByCode[twilioCode] });
  }
  return networkFailure(vendor, err);
}
