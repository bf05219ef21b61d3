/**
 * SMS through MessageBird's REST API (POST /messages, GET /balance), called with fetch.
 *
 * Why not the installed `messagebird` SDK (v4): it calls `https.request` with the host hard-coded to
 * rest.messagebird.com and no host, port, agent or base-URL option. The only ways to aim it elsewhere
 * are process-wide (patching `https.request`, swapping `https.globalAgent`, DNS overrides plus a
 * trusted local certificate), which would also redirect every other HTTPS client in the worker.
 * The documented API we need is two calls, so we speak it directly.
 */
import { z } from 'zod';
import { type DeliveryErrorKind } from '../../../../domain/messaging';
import { isNetworkError, kindForHttpStatus, ProviderError, retryAfterMs } from '../provider-error';
import { type ProviderDefinition } from '../types';

const DEFAULT_BASE_URL = 'https://rest.messagebird.com';

const credentials = z.object({
  accessKey: z.string().min(1),
  originator: z
    .string()
    .regex(/^(\+?[1-9]\d{1,15}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be a phone number or an alphanumeric sender of at most 11 characters'),
  /** Not used to send: verifies MessageBird-Signature-JWT on webhooks (api/webhooks/messagebird.ts). */
  signingKey: z.string().min(1).optional(),
});
export type MessageBirdCredentials = z.infer<typeof credentials>;

const errorBody = z.object({
  errors: z.array(z.object({ code: z.number(), parameter: z.string().nullish() })).min(1),
});
type VendorErrors = z.infer<typeof errorBody>['errors'];
const createdMessage = z.object({ id: z.string().min(1) });

/** MessageBird's error codes (https://developers.messagebird.com/api/#api-errors) read together with the HTTP status. */
function kindFor(status: number, errors: VendorErrors): DeliveryErrorKind {
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'TRANSIENT';
  if (errors.some((e) => e.code === 2)) return 'AUTH'; // request not allowed: wrong or revoked access key
  // 9 missing, 10 invalid params, 21 bad request: about the recipient only when that is the parameter named.
  if (errors.some((e) => [9, 10, 21].includes(e.code) && e.parameter === 'recipients')) return 'INVALID_RECIPIENT';
  // 25: not enough balance. Only a human topping up fixes it, so move on to the next provider now.
  if (errors.some((e) => e.code === 25)) return 'REJECTED';
  return kindForHttpStatus(status);
}

function networkError(err: unknown): ProviderError {
  // fetch rejects with a TypeError whose cause holds the socket error, or a TimeoutError from its signal.
  const cause = err instanceof Error ? err.cause : undefined;
  const code = err instanceof Error && err.name === 'TimeoutError' ? 'ETIMEDOUT' : isNetworkError(cause) ? (cause as { code: string }).code : 'unknown';
  return new ProviderError('TRANSIENT', `network:${code}`, `MessageBird unreachable (${code})`);
}

export function createMessageBirdSms({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): ProviderDefinition<'sms', MessageBirdCredentials> {
  return {
    provider: 'messagebird',
    channel: 'sms',
    label: 'MessageBird SMS',
    credentials,
    secretFields: ['accessKey', 'signingKey'],
    connect(creds, endpoints) {
      const baseUrl = (endpoints.messagebird ?? DEFAULT_BASE_URL).replace(/\/+$/, '');

      const call = async (method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> => {
        let status: number;
        let payload: unknown;
        let retryAfter: string | null;
        try {
          const response = await fetch(`${baseUrl}${path}`, {
            method,
            headers: { Authorization: `AccessKey ${creds.accessKey}`, Accept: 'application/json', ...(body && { 'Content-Type': 'application/json' }) },
            body: body && JSON.stringify(body),
            signal: AbortSignal.timeout(timeoutMs),
          });
          ({ status } = response);
          retryAfter = response.headers.get('retry-after');
          const text = await response.text();
          payload = text ? (JSON.parse(text) as unknown) : undefined;
        } catch (err) {
          if (err instanceof SyntaxError) throw new ProviderError('TRANSIENT', 'messagebird:unreadable', 'MessageBird answered with something other than JSON');
          throw networkError(err);
        }
        if (status >= 200 && status < 300) return payload;
        const errors = errorBody.safeParse(payload).data?.errors ?? [];
        const kind = kindFor(status, errors);
        const label = errors[0] ? `messagebird:${errors[0].code}` : `http:${status}`;
        // The vendor's descriptions are left out: they may quote the recipient or the sender.
        throw new ProviderError(kind, label, `MessageBird answered HTTP ${status} (${label}): ${kind}`, {
          retryAfterMs: kind === 'RATE_LIMITED' ? retryAfterMs(retryAfter) : undefined,
        });
      };

      return {
        async send(message) {
          const created = createdMessage.safeParse(
            await call('POST', '/messages', {
              // The activity passes the clinic's sender; the credential's own originator is the fallback.
              originator: message.from || creds.originator,
              // MessageBird documents recipients as MSISDNs: the E.164 digits without '+'.
              recipients: [message.to.replace(/^\+/, '')],
              body: message.text,
              // MessageBird has no idempotency key; the reference comes back in status reports, which
              // lets the webhook match a report to this attempt.
              reference: message.idempotencyKey,
            }),
          );
          if (!created.success) throw new ProviderError('TRANSIENT', 'messagebird:unreadable', 'MessageBird accepted the message without an id');
          return { providerMessageId: created.data.id };
        },
        async verify() {
          await call('GET', '/balance');
        },
        async close() {
          // fetch keeps no per-client connections to release.
        },
      };
    },
  };
}

export const messageBirdSms = createMessageBirdSms();
