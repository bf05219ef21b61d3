/** SMS through Vonage's SMS API (rest.nexmo.com/sms/json), with the official `@vonage/server-sdk`. */
import { Vonage } from '@vonage/server-sdk';
import { z } from 'zod';
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { httpFailure, networkFailure, type Vendor } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { type ProviderConnector } from '../../types';
import { type VonageCredentials, vonageSmsDescriptor } from './descriptor';

export { type VonageCredentials };

const VONAGE: Vendor = { prefix: 'vonage', label: 'Vonage SMS' };

/**
 * The per-message `status` of the SMS API, which answers HTTP 200 even when it refuses
 * (https://developer.vonage.com/en/messaging/sms/guides/troubleshooting-sms). Unlisted codes: REJECTED.
 */
const KIND_BY_STATUS: Record<string, DeliveryErrorKind> = {
  '1': 'RATE_LIMITED', // throttled
  '4': 'AUTH', // invalid credentials
  '5': 'TRANSIENT', // internal error
  '6': 'INVALID_RECIPIENT', // unroutable
  '7': 'INVALID_RECIPIENT', // number barred
  '8': 'AUTH', // account barred
  // 9 is "partner quota violation", i.e. not enough credit: the credentials are fine, the account needs
  // topping up by a human, so it is REJECTED (as MessageBird's code 25), not AUTH.
  '9': 'REJECTED',
  '14': 'AUTH', // invalid signature
  '15': 'REJECTED', // invalid sender address
  '29': 'REJECTED', // destination not on the trial account's whitelist
};

/** What the SDK throws when messages[] holds a non-zero status (MessageSendAllFailure / …PartialFailure). */
const smsFailure = z.object({
  response: z.object({ messages: z.array(z.object({ status: z.string().optional(), errorText: z.string().optional() })) }),
});
/** What the SDK's HTTP layer (vetch) throws for a non-2xx answer: it carries the fetch Response. */
const httpAnswer = z.object({
  response: z.object({ status: z.number(), headers: z.custom<{ get(name: string): string | null }>((h) => typeof (h as { get?: unknown } | null)?.get === 'function') }),
});
const sent = z.object({ messages: z.array(z.object({ messageId: z.string().min(1) })) });

function kindForStatus(status: string, errorText: string): DeliveryErrorKind {
  // 2 missing / 3 invalid parameter: the recipient's fault only when the parameter is `to`.
  if (status === '2' || status === '3') return /\bto\b/i.test(errorText) ? 'INVALID_RECIPIENT' : 'REJECTED';
  return KIND_BY_STATUS[status] ?? 'REJECTED';
}

function toProviderError(err: unknown): ProviderError {
  const failure = smsFailure.safeParse(err);
  if (failure.success) {
    // A long text is split into parts; the first refused part decides (a retry resends all of them).
    const refused = failure.data.response.messages.find((m) => m.status !== '0') ?? {};
    const status = refused.status ?? 'unknown';
    const kind = kindForStatus(status, refused.errorText ?? '');
    // error-text is left out: it may quote the number.
    return new ProviderError(kind, `vonage:${status}`, `Vonage refused the message (vonage:${status}): ${kind}`);
  }
  const http = httpAnswer.safeParse(err);
  if (http.success) return httpFailure(VONAGE, http.data.response.status, http.data.response.headers.get('retry-after'));
  // node-fetch's FetchError carries the socket error code; the SDK's own timeout aborts with AbortError.
  return networkFailure(VONAGE, err);
}

/** Vonage takes numbers as E.164 digits without '+'; alphanumeric senders stay as they are. */
const msisdn = (value: string) => value.replace(/^\+(?=\d+$)/, '');

export function createVonageSms({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): ProviderConnector<'sms', VonageCredentials> {
  return {
    ...vonageSmsDescriptor,
    connect(creds, endpoints) {
      const base = endpoints.vonage?.replace(/\/+$/, '');
      // The SMS and account APIs live on restHost; apiHost is set too so no call can slip to the real
      // Vonage when a base URL is configured. Unset, the SDK's defaults apply.
      const vonage = new Vonage({ apiKey: creds.apiKey, apiSecret: creds.apiSecret }, { timeout: timeoutMs, ...(base && { restHost: base, apiHost: base }) });
      return {
        async send(message) {
          let response: unknown;
          try {
            response = await vonage.sms.send({
              // The activity passes the clinic's sender; the credential's own sender is the fallback.
              from: msisdn(message.from || creds.from),
              to: msisdn(message.to),
              text: message.text,
              // Vonage has no idempotency key; client-ref comes back in delivery receipts, which lets the
              // webhook match a receipt to this attempt.
              clientRef: message.idempotencyKey,
            });
          } catch (err) {
            throw toProviderError(err);
          }
          const messageId = sent.safeParse(response).data?.messages[0]?.messageId;
          if (!messageId) throw new ProviderError('TRANSIENT', 'vonage:unreadable', 'Vonage accepted the message without a message id');
          return { providerMessageId: messageId };
        },
        async verify() {
          await vonage.accounts.getBalance().catch((err: unknown) => {
            throw toProviderError(err);
          });
        },
        async close() {
          // The SDK fetches through node-fetch's default agent: no per-client connections to release.
        },
      };
    },
  };
}

export const vonageSms = createVonageSms();
