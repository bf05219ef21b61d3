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
import { z } from 'zod';
import { type DeliveryErrorKind } from '../../../../domain/messaging';
import { isNetworkError, kindForHttpStatus, ProviderError, retryAfterMs } from '../provider-error';
import { type ChannelClient, type ProviderDefinition, type WhatsAppMessage } from '../types';

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

export const messageBirdWhatsAppCredentials = z.object({
  accessKey: z.string().min(20, 'accessKey looks truncated'),
  /** The WhatsApp channel's id in MessageBird (32 hex digits). */
  channelId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be the WhatsApp channel id: 32 hex digits'),
  /** The WhatsApp template namespace of the business account; required to send templates. */
  templateNamespace: z.string().min(1).optional(),
  /** Not used to send: verifies MessageBird-Signature-JWT on webhooks (api/webhooks/messagebird.ts). */
  signingKey: z.string().min(1).optional(),
});
export type MessageBirdWhatsAppCredentials = z.output<typeof messageBirdWhatsAppCredentials>;

interface MessageBirdError {
  code?: number;
  parameter?: string | null;
}

async function toProviderError(res: Response): Promise<ProviderError> {
  const body = (await res.json().catch(() => null)) as { errors?: MessageBirdError[] } | null;
  const first = body?.errors?.[0];
  const code = first?.code;
  let kind: DeliveryErrorKind = res.status === 401 ? 'AUTH' : ((code !== undefined && KIND_BY_CODE[code]) || kindForHttpStatus(res.status));
  if (kind === 'REJECTED' && first?.parameter && RECIPIENT_PARAMETERS.has(first.parameter)) kind = 'INVALID_RECIPIENT';
  const vendorCode = code === undefined ? `http:${res.status}` : `messagebird:${code}`;
  // MessageBird's description is left out: it may quote the parameter's value.
  const detail = first?.parameter ? `, parameter ${first.parameter}` : '';
  return new ProviderError(kind, vendorCode, `MessageBird WhatsApp: HTTP ${res.status} (${vendorCode}${detail}), ${kind}`, {
    retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
  });
}

function networkError(err: unknown): ProviderError {
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return new ProviderError('TRANSIENT', 'timeout', 'MessageBird WhatsApp: no answer in time');
  }
  const cause = (err as { cause?: unknown }).cause;
  const code = isNetworkError(cause) ? (cause as { code: string }).code : 'unknown';
  return new ProviderError('TRANSIENT', 'network', `MessageBird WhatsApp: network failure (${code})`, { cause: isNetworkError(cause) ? cause : undefined });
}

/** The send body: an HSM (template) with body parameters, or text inside the 24-hour window. */
function sendBody(message: WhatsAppMessage, creds: MessageBirdWhatsAppCredentials): Record<string, unknown> {
  if ((message.template === undefined) === (message.text === undefined)) {
    throw new ProviderError('REJECTED', 'whatsapp:template-xor-text', 'MessageBird WhatsApp: a WhatsApp message needs exactly one of template and text');
  }
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

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: `AccessKey ${this.creds.accessKey}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(idempotencyKey ? { 'x-idempotency-key': idempotencyKey } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw networkError(err);
    }
    if (!res.ok) throw await toProviderError(res);
    return res.json().catch(() => ({}));
  }

  async send(message: WhatsAppMessage) {
    const answer = (await this.call('POST', '/v1/send', sendBody(message, this.creds), message.idempotencyKey)) as { id?: string };
    if (!answer.id) throw new ProviderError('TRANSIENT', 'messagebird:no-message-id', 'MessageBird WhatsApp: accepted without a message id');
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

export function createMessageBirdWhatsApp({ timeoutMs = DEFAULT_TIMEOUT_MS }: { timeoutMs?: number } = {}): ProviderDefinition<'whatsapp', MessageBirdWhatsAppCredentials> {
  return {
    provider: 'messagebird',
    channel: 'whatsapp',
    label: 'WhatsApp (MessageBird)',
    credentials: messageBirdWhatsAppCredentials,
    secretFields: ['accessKey', 'signingKey'],
    connect: (creds, endpoints) =>
      new MessageBirdWhatsAppClient(creds, (endpoints['messagebird-conversations'] ?? DEFAULT_BASE_URL).replace(/\/+$/, ''), timeoutMs),
  };
}

export const messageBirdWhatsApp = createMessageBirdWhatsApp();
