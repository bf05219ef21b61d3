/**
 * WhatsApp through Vonage's Messages API v1 with the official `@vonage/server-sdk` (its messages
 * client, Basic auth with the API key and secret): message_type 'text' inside the 24-hour window,
 * 'custom' carrying WhatsApp's own template object for approved templates (no legacy namespace).
 *
 * Endpoint override: endpoints['vonage-messages'], the SDK's `apiHost` (default https://api.nexmo.com).
 * Idempotency: the key travels as client_ref, which Vonage echoes in status webhooks.
 */
import { Vonage } from '@vonage/server-sdk';
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { httpFailure, networkFailure, type Vendor } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { assertTemplateXorText } from '../template-or-text';
import { type ProviderConnector, type WhatsAppMessage } from '../../types';
import { type VonageWhatsAppCredentials, vonageWhatsAppDescriptor } from './descriptor';

/** Messages API error codes (the #fragment of an RFC 7807 `type`) that say more than the HTTP status. */
const KIND_BY_CODE: Record<string, DeliveryErrorKind> = {
  unauthorized: 'AUTH',
  '1000': 'RATE_LIMITED', // throttled
  '1010': 'REJECTED', // missing parameters
  '1020': 'REJECTED', // invalid parameters (INVALID_RECIPIENT when the parameter is `to`)
  '1021': 'REJECTED', // invalid tag
  '1022': 'REJECTED', // invalid template or template parameters
  '1030': 'TRANSIENT', // internal error
  '1040': 'INVALID_RECIPIENT', // invalid message, e.g. unrecognised number prefix
  '1050': 'INVALID_RECIPIENT', // number barred
  '1060': 'AUTH', // account barred
  '1070': 'REJECTED', // not enough credit
  '1080': 'AUTH', // account not enabled for this API
  '1100': 'TRANSIENT', // communication with the channel failed
  '1120': 'REJECTED', // illegal sender address
};

const DEFAULT_TIMEOUT_MS = 15_000;
type SendParams = Parameters<Vonage['messages']['send']>[0];

export { type VonageWhatsAppCredentials };

const VONAGE: Vendor = { prefix: 'vonage', label: 'Vonage WhatsApp' };

/** Vonage wants numbers without the leading +. */
const msisdn = (number: string) => number.replace(/^\+/, '');

function sendParams(message: WhatsAppMessage, from: string): SendParams {
  assertTemplateXorText(message, 'Vonage WhatsApp');
  const base = { channel: 'whatsapp', to: msisdn(message.to), from: msisdn(from), clientRef: message.idempotencyKey };
  if (!message.template) return { ...base, messageType: 'text', text: message.text ?? '' };
  const { name, language, parameters } = message.template;
  const components = parameters.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : [];
  return { ...base, messageType: 'custom', custom: { type: 'template', template: { name, language: { policy: 'deterministic', code: language }, components } } };
}

interface Problem {
  type?: string;
  invalid_parameters?: { name?: string }[];
}

/** The SDK's VetchError keeps the HTTP response unread; its config holds the Authorization header, so it never becomes a cause. */
async function toProviderError(err: unknown): Promise<ProviderError> {
  if (err instanceof ProviderError) return err;
  const response = (err as { response?: { status: number; headers: { get(name: string): string | null }; json(): Promise<unknown> } } | null)?.response;
  if (response) {
    const problem = ((await response.json().catch(() => null)) ?? {}) as Problem;
    const code = problem.type?.split('#')[1];
    let kind = code === undefined ? undefined : KIND_BY_CODE[code];
    if (code === '1020' && problem.invalid_parameters?.some((p) => p.name === 'to')) kind = 'INVALID_RECIPIENT';
    // Vonage's title and detail are left out: detail may quote parameter values.
    return httpFailure(VONAGE, response.status, response.headers.get('retry-after'), { code, kind });
  }
  return networkFailure(VONAGE, err);
}

export function createVonageWhatsApp({ timeoutMs = DEFAULT_TIMEOUT_MS }: { timeoutMs?: number } = {}): ProviderConnector<'whatsapp', VonageWhatsAppCredentials> {
  return {
    ...vonageWhatsAppDescriptor,
    connect(creds, endpoints) {
      const apiHost = endpoints['vonage-messages']?.replace(/\/+$/, '');
      const vonage = new Vonage({ apiKey: creds.apiKey, apiSecret: creds.apiSecret }, { ...(apiHost ? { apiHost } : {}), timeout: timeoutMs });
      const call = async <T>(fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (err) {
          throw await toProviderError(err);
        }
      };
      return {
        async send(message) {
          const params = sendParams(message, message.from || creds.from);
          const { messageUUID } = await call(() => vonage.messages.send(params));
          return { providerMessageId: messageUUID };
        },
        /** Lists the account's API secrets: a Basic-auth read on the same host that sends nothing. */
        async verify() {
          await call(() => vonage.secrets.listSecrets(creds.apiKey));
        },
        async close() {
          // The SDK's fetch keeps no connection pool of ours to release.
        },
      };
    },
  };
}

export const vonageWhatsApp = createVonageWhatsApp();
