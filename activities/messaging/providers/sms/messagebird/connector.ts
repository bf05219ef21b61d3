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
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { fetchJson, type Vendor, type VendorVerdict } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { type ProviderConnector } from '../../types';
import { type MessageBirdCredentials, messageBirdSmsDescriptor } from './descriptor';

export { type MessageBirdCredentials };

const DEFAULT_BASE_URL = 'https://rest.messagebird.com';
const MESSAGEBIRD: Vendor = { prefix: 'messagebird', label: 'MessageBird SMS' };

const errorBody = z.object({
  errors: z.array(z.object({ code: z.number(), parameter: z.string().nullish() })).min(1),
});
type VendorErrors = z.infer<typeof errorBody>['errors'];
const createdMessage = z.object({ id: z.string().min(1) });

/** MessageBird's error codes (https://developers.messagebird.com/api/#api-errors); the HTTP status is read by http-failure.ts. */
function kindFor(errors: VendorErrors): DeliveryErrorKind | undefined {
  if (errors.some((e) => e.code === 2)) return 'AUTH'; // request not allowed: wrong or revoked access key
  // 9 missing, 10 invalid params, 21 bad request: about the recipient only when that is the parameter named.
  if (errors.some((e) => [9, 10, 21].includes(e.code) && e.parameter === 'recipients')) return 'INVALID_RECIPIENT';
  // 25: not enough balance. Only a human topping up fixes it, so move on to the next provider now.
  if (errors.some((e) => e.code === 25)) return 'REJECTED';
  return undefined;
}

function readError(body: unknown): VendorVerdict {
  const errors = errorBody.safeParse(body).data?.errors ?? [];
  // The vendor's descriptions are left out: they may quote the recipient or the sender.
  return { code: errors[0]?.code, kind: kindFor(errors) };
}

export function createMessageBirdSms({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): ProviderConnector<'sms', MessageBirdCredentials> {
  return {
    ...messageBirdSmsDescriptor,
    connect(creds, endpoints) {
      const baseUrl = (endpoints.messagebird ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
      const call = (method: 'GET' | 'POST', path: string, body?: object) =>
        fetchJson(MESSAGEBIRD, { method, url: `${baseUrl}${path}`, headers: { Authorization: `AccessKey ${creds.accessKey}` }, body, timeoutMs }, readError);

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
