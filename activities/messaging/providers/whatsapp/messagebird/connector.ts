/**
 * WhatsApp through MessageBird's Conversations API: POST {base}/v1/send with
 * `Authorization: AccessKey …`, type 'text' or 'hsm' (an approved template). The `messagebird`
 * SDK has conversations.send but hard-codes its host (no base URL, port or agent), so this uses
 * fetch against the same documented endpoint.
 *
 * Endpoint override: endpoints['messagebird-conversations'] (default https://conversations.messagebird.com).
 * Idempotency: the API has no idempotency field; the key travels as X-Idempotency-Key (ignored
 * by MessageBird) so logs and local peers can correlate retries.
 */
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { fetchJson, type Vendor, type VendorVerdict } from '../../http-failure';
import { kindForHttpStatus, ProviderError } from '../../provider-error';
import { assertTemplateXorText } from '../template-or-text';
import { type ChannelClient, type ProviderConnector, type WhatsAppMessage } from '../../types';
import { type MessageBirdWhatsAppCredentials, messageBirdWhatsAppDescriptor } from './descriptor';

/** MessageBird error codes ({"errors":[{code, description, parameter}]}) that say more than the HTTP status. */
const KIND_BY_CODE: Record<number, DeliveryErrorKind> = {
  2: 'AUTH', // request not allowed (incorrect access key)
  9: 'REJECTED', // missing parameters
  10: 'REJECTED', // invalid parameters
  20: 'REJECTED', // not found (e.g. the channel)
  21: 'REJECTED', // bad request
  25: 'REJECTED', // not enough balance
  99: 'TRANSIENT', // internal error
};
/** Parameter errors on the recipient mean the address itself is wrong. */
const RECIPIENT_PARAMETERS = new Set(['to']);

const DEFAULT_BASE_URL = 'https://conversations.messagebird.com';
const DEFAULT_TIMEOUT_MS = 15_000;

export { type MessageBirdWhatsAppCredentials };

interface MessageBirdError {
  code?: number;
  parameter?: string | null;
}

const MESSAGEBIRD: Vendor = { prefix: 'messagebird', label: 'MessageBird WhatsApp' };

function readError(body: unknown, status: number): VendorVerdict {
  const first = (body as { errors?: MessageBirdError[] } | undefined)?.errors?.[0];
  const code = first?.code;
  let kind = code === undefined ? undefined : KIND_BY_CODE[code];
  if ((kind ?? kindForHttpStatus(status)) === 'REJECTED' && first?.parameter && RECIPIENT_PARAMETERS.has(first.parameter)) kind = 'INVALID_RECIPIENT';
  // MessageBird's description is left out: it may quote the parameter's value.
  return { code, kind, detail: first?.parameter ? `parameter ${first.parameter}` : undefined };
}

/** The send body: an HSM (template) with body parameters, or text inside the 24-hour window. */
function sendBody(message: WhatsAppMessage, creds: MessageBirdWhatsAppCredentials): Record<string, unknown> {
  assertTemplateXorText(message, 'MessageBird WhatsApp');
  const base = { to: message.to, from: creds.channelId };
  if (!message.template) return { ...base, type: 'text', content: { text: message.text } };
  if (!creds.templateNamespace) {
    throw new ProviderError('REJECTED', 'messagebird:no-template-namespace', 'MessageBird WhatsApp: templates need templateNamespace in the credentials');
  }
  const { name, language, parameters } = message.template;
  const components = parameters.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : [];
  return {
    ...base,
    type: 'hsm',
    content: { hsm: { namespace: creds.templateNamespace, templateName: name, language: { policy: 'deterministic', code: language }, components } },
  };
}

class MessageBirdWhatsAppClient implements ChannelClient<'whatsapp'> {
  constructor(
    private readonly creds: MessageBirdWhatsAppCredentials,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private call(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<unknown> {
    const headers = { authorization: `AccessKey ${this.creds.accessKey}`, ...(idempotencyKey ? { 'x-idempotency-key': idempotencyKey } : {}) };
    return fetchJson(MESSAGEBIRD, { method, url: `${this.baseUrl}${path}`, headers, body, timeoutMs: this.timeoutMs }, readError);
  }

  async send(message: WhatsAppMessage) {
    const answer = (await this.call('POST', '/v1/send', sendBody(message, this.creds), message.idempotencyKey)) as { id?: string } | undefined;
    if (!answer?.id) throw new ProviderError('TRANSIENT', 'messagebird:no-message-id', 'MessageBird WhatsApp: accepted without a message id');
    return { providerMessageId: answer.id };
  }

  /** Lists one conversation: the cheapest authenticated read (it does not prove the channel id). */
  async verify() {
    await this.call('GET', '/v1/conversations?limit=1');
  }

  async close() {
    // fetch keeps no connection pool of ours to release.
  }
}

export function createMessageBirdWhatsApp({ timeoutMs = DEFAULT_TIMEOUT_MS }: { timeoutMs?: number } = {}): ProviderConnector<'whatsapp', MessageBirdWhatsAppCredentials> {
  return {
    ...messageBirdWhatsAppDescriptor,
    connect: (creds, endpoints) =>
      new MessageBirdWhatsAppClient(creds, (endpoints['messagebird-conversations'] ?? DEFAULT_BASE_URL).replace(/\/+$/, ''), timeoutMs),
  };
}

export const messageBirdWhatsApp = createMessageBirdWhatsApp();
