/**
 * WhatsApp through Meta's Cloud API. Meta publishes no Node SDK, so this calls the documented
 * Graph API with fetch: POST {base}/{version}/{phoneNumberId}/messages.
 *
 * Endpoint override: endpoints['meta-whatsapp'] (default https://graph.facebook.com).
 * Idempotency: the Graph API has no idempotency key; the key travels in
 * biz_opaque_callback_data, which Meta echoes in status webhooks so deliveries can be matched
 * to our attempts.
 */
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { fetchJson, type Vendor, type VendorVerdict } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { assertTemplateXorText } from '../template-or-text';
import { type ChannelClient, type ProviderConnector, type WhatsAppMessage } from '../../types';
import { type MetaCloudCredentials, metaCloudDescriptor } from './descriptor';

/** Graph error codes (error.code) that mean more than their HTTP status. Titles are ours, never Meta's message text. */
const GRAPH_ERRORS: Record<number, { kind: DeliveryErrorKind; title: string }> = {
  0: { kind: 'AUTH', title: 'authentication failed' },
  3: { kind: 'AUTH', title: 'app lacks the capability' },
  10: { kind: 'AUTH', title: 'permission denied' },
  190: { kind: 'AUTH', title: 'access token invalid or expired' },
  200: { kind: 'AUTH', title: 'permission not granted' },
  131031: { kind: 'AUTH', title: 'business account locked' },
  4: { kind: 'RATE_LIMITED', title: 'app call limit reached' },
  80007: { kind: 'RATE_LIMITED', title: 'WhatsApp Business Account rate limit' },
  130429: { kind: 'RATE_LIMITED', title: 'Cloud API throughput reached' },
  131048: { kind: 'RATE_LIMITED', title: 'spam rate limit hit' },
  131056: { kind: 'RATE_LIMITED', title: 'too many messages to this recipient' },
  // 1006 is the On-Premises "resource not found" for an unknown contact; Twilio maps it to "could not find To address".
  1006: { kind: 'INVALID_RECIPIENT', title: 'recipient not found' },
  131021: { kind: 'INVALID_RECIPIENT', title: 'recipient is the sender' },
  131026: { kind: 'INVALID_RECIPIENT', title: 'message undeliverable to this recipient' },
  131030: { kind: 'INVALID_RECIPIENT', title: 'recipient not in the allowed list' },
  131050: { kind: 'UNSUBSCRIBED', title: 'recipient stopped marketing messages' },
  100: { kind: 'REJECTED', title: 'invalid parameter' },
  368: { kind: 'REJECTED', title: 'sender temporarily blocked for policy violations' },
  131042: { kind: 'REJECTED', title: 'business eligibility (payment) issue' },
  131047: { kind: 'REJECTED', title: 'outside the 24-hour window: a template is required' },
  131051: { kind: 'REJECTED', title: 'unsupported message type' },
  132000: { kind: 'REJECTED', title: 'template parameter count mismatch' },
  132001: { kind: 'REJECTED', title: 'template does not exist in this language' },
  132005: { kind: 'REJECTED', title: 'template text too long' },
  132007: { kind: 'REJECTED', title: 'template violates policy' },
  132012: { kind: 'REJECTED', title: 'template parameter format mismatch' },
  132015: { kind: 'REJECTED', title: 'template paused' },
  132016: { kind: 'REJECTED', title: 'template disabled' },
  1: { kind: 'TRANSIENT', title: 'unknown API error' },
  2: { kind: 'TRANSIENT', title: 'API service error' },
  131000: { kind: 'TRANSIENT', title: 'something went wrong at Meta' },
  131016: { kind: 'TRANSIENT', title: 'service unavailable' },
  133004: { kind: 'TRANSIENT', title: 'server temporarily unavailable' },
};

const DEFAULT_BASE_URL = 'https://graph.facebook.com';
const DEFAULT_TIMEOUT_MS = 15_000;

export { type MetaCloudCredentials };

interface GraphError {
  code?: number;
  error_subcode?: number;
  type?: string;
  fbtrace_id?: string;
}

const META: Vendor = { prefix: 'meta', label: 'Meta WhatsApp' };

/** Meta's error code and, for the log, our title for it, its subcode and the trace id Meta support asks for. */
function readError(body: unknown): VendorVerdict {
  const error = (body as { error?: GraphError } | undefined)?.error ?? {};
  const known = error.code === undefined ? undefined : GRAPH_ERRORS[error.code];
  const detail = [known?.title, error.error_subcode && `subcode ${error.error_subcode}`, error.fbtrace_id && `fbtrace_id ${error.fbtrace_id}`];
  return { code: error.code, kind: known?.kind, detail: detail.filter(Boolean).join(', ') };
}

/** The Graph message body: a template with body parameters, or free text inside the 24-hour window. */
function graphMessage(message: WhatsAppMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: message.to, biz_opaque_callback_data: message.idempotencyKey };
  if (message.template) {
    const { name, language, parameters } = message.template;
    const components = parameters.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : [];
    return { ...base, type: 'template', template: { name, language: { code: language }, components } };
  }
  return { ...base, type: 'text', text: { body: message.text } };
}

class MetaCloudWhatsAppClient implements ChannelClient<'whatsapp'> {
  constructor(
    private readonly credentials: MetaCloudCredentials,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}/${this.credentials.graphApiVersion}/${path}`;
    return fetchJson(META, { method, url, headers: { authorization: `Bearer ${this.credentials.accessToken}` }, body, timeoutMs: this.timeoutMs }, readError);
  }

  async send(message: WhatsAppMessage) {
    assertTemplateXorText(message, 'Meta WhatsApp');
    const answer = (await this.call('POST', `${this.credentials.phoneNumberId}/messages`, graphMessage(message))) as { messages?: { id?: string }[] } | undefined;
    const id = answer?.messages?.[0]?.id;
    if (!id) throw new ProviderError('TRANSIENT', 'meta:no-message-id', 'Meta WhatsApp: accepted without a message id');
    return { providerMessageId: id };
  }

  async verify() {
    await this.call('GET', this.credentials.phoneNumberId);
  }

  async close() {
    // fetch keeps no connection pool of ours to release.
  }
}

export function createMetaCloudWhatsApp(options: { timeoutMs?: number } = {}): ProviderConnector<'whatsapp', MetaCloudCredentials> {
  return {
    ...metaCloudDescriptor,
    connect: (credentials, endpoints) =>
      new MetaCloudWhatsAppClient(credentials, (endpoints['meta-whatsapp'] ?? DEFAULT_BASE_URL).replace(/\/+$/, ''), options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  };
}

export const metaCloudWhatsApp = createMetaCloudWhatsApp();
