/**
 * A local stand-in for Meta's WhatsApp Cloud API (Graph API) in its documented shapes: Bearer
 * access token, POST /{version}/{phoneNumberId}/messages answering {messaging_product, contacts,
 * messages:[{id}]}, GET /{version}/{phoneNumberId} for the number's profile, and Graph errors
 * {error:{message, type, code, error_subcode, fbtrace_id}}.
 */
import { randomBytes } from 'node:crypto';
import { type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface MetaAccount {
  phoneNumberId: string;
  accessToken: string;
  /** Recipients with no WhatsApp account: sends to them fail with 131026. */
  undeliverable?: string[];
  /**
   * Recipients who wrote to the business in the last 24 hours. When given, free-form text to
   * anyone else fails with 131047 (outside the customer-service window), as Meta answers.
   */
  windowOpenWith?: string[];
}

export interface MetaSentMessage {
  id: string;
  to: string;
  type: string;
  template?: { name: string; language: { code: string }; components?: { type: string; parameters: { type: string; text: string }[] }[] };
  text?: { body: string };
  /** biz_opaque_callback_data: where our idempotency key travels. */
  idempotencyKey?: string;
}

export interface MetaWhatsAppPeer extends HttpPeer {
  messages: MetaSentMessage[];
}

/** An error answer as the Graph API sends it. */
export function graphError(status: number, code: number, message: string, extra: { type?: string; error_subcode?: number; headers?: Record<string, string> } = {}): PeerReply {
  const { headers, type = 'OAuthException', error_subcode } = extra;
  return { status, headers, body: { error: { message, type, code, ...(error_subcode ? { error_subcode } : {}), fbtrace_id: `A${randomBytes(8).toString('hex')}` } } };
}

export async function startMetaWhatsAppPeer(account: MetaAccount): Promise<MetaWhatsAppPeer> {
  const messages: MetaSentMessage[] = [];
  const numberPath = new RegExp(`^/v\\d+\\.\\d+/${account.phoneNumberId}$`);
  const messagesPath = new RegExp(`^/v\\d+\\.\\d+/${account.phoneNumberId}/messages$`);

  const handle = (req: RecordedRequest): PeerReply => {
    if (req.headers.authorization !== `Bearer ${account.accessToken}`) {
      return graphError(401, 190, 'Error validating access token: The session is invalid.', { error_subcode: 460 });
    }
    if (req.method === 'GET' && numberPath.test(req.path)) {
      return { status: 200, body: { verified_name: 'Local Clinic', display_phone_number: '+1 555-0100', id: account.phoneNumberId, quality_rating: 'GREEN' } };
    }
    if (req.method === 'POST' && messagesPath.test(req.path)) return createMessage(req);
    return graphError(400, 100, `Unsupported ${req.method} request. Object with ID does not exist.`, { type: 'GraphMethodException', error_subcode: 33 });
  };

  const createMessage = (req: RecordedRequest): PeerReply => {
    const body = (req.body ?? {}) as Record<string, unknown> & Partial<MetaSentMessage>;
    if (body.messaging_product !== 'whatsapp') return graphError(400, 100, '(#100) The parameter messaging_product is required.');
    if (typeof body.to !== 'string' || !body.to) return graphError(400, 100, '(#100) The parameter to is required.');
    if (account.undeliverable?.includes(body.to)) return graphError(400, 131026, 'Message undeliverable', { type: 'OAuthException' });
    const validTemplate = body.type === 'template' && body.template?.name && body.template.language?.code;
    const validText = body.type === 'text' && typeof body.text?.body === 'string';
    if (!validTemplate && !validText) return graphError(400, 100, '(#100) Invalid parameter');
    if (validText && account.windowOpenWith && !account.windowOpenWith.includes(body.to)) {
      return graphError(400, 131047, 'Re-engagement message', { type: 'OAuthException' });
    }
    const id = `wamid.${randomBytes(16).toString('base64url')}`;
    const idempotencyKey = typeof body.biz_opaque_callback_data === 'string' ? body.biz_opaque_callback_data : undefined;
    messages.push({ id, to: body.to, type: body.type as string, template: body.template, text: body.text, idempotencyKey });
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to.replace(/^\+/, '') }], messages: [{ id }] } };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}
