/**
 * MessageBird webhooks: SMS status reports and inbound SMS (query string or form parameters) and
 * Conversations API events (JSON, used for WhatsApp).
 * Verified with the SDK's own verifier: `MessageBird-Signature-JWT` is a JWT, HS256 with the
 * account's signing key, issuer MessageBird, with url_hash (hex SHA-256 of the full URL, query
 * included) and payload_hash (hex SHA-256 of the raw body, when there is one); jose checks the
 * signature, exp and nbf.
 */
import { createSecretKey } from 'node:crypto';
import { verify, VerifyOptions } from 'messagebird/lib/webhook-signature-jwt.js';
import { z } from 'zod';
import { type WebhookEvent } from './apply';

export const MESSAGEBIRD_SIGNATURE_HEADER = 'messagebird-signature-jwt';

const OPTIONS = new VerifyOptions(true, true, { issuer: 'MessageBird', algorithms: ['HS256'], clockTolerance: 5, requiredClaims: ['exp'] });

export async function verifyMessageBird(signingKeys: string[], token: string | undefined, url: string, rawBody: Buffer): Promise<boolean> {
  if (!token) return false;
  for (const key of signingKeys) {
    const valid = await verify(url, rawBody.length ? rawBody : null, token, createSecretKey(Buffer.from(key, 'utf8')), OPTIONS).then(
      () => true,
      () => false,
    );
    if (valid) return true;
  }
  return false;
}

/** SMS status report (https://developers.messagebird.com/api/sms-messaging/#handle-a-status-report) or inbound SMS. */
const smsParams = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  statusErrorCode: z.string().optional(),
  originator: z.string().optional(),
  body: z.string().optional(),
});

/** Conversations API webhook: message.created / message.updated. */
const conversationEvent = z.object({
  type: z.string(),
  message: z.object({
    id: z.string(),
    status: z.string().optional(),
    direction: z.string().optional(),
    platform: z.string().optional(),
    from: z.string().optional(),
    content: z.object({ text: z.string().optional() }).optional(),
    error: z.object({ code: z.union([z.number(), z.string()]).optional() }).optional(),
  }),
});

const FAILED = new Set(['delivery_failed', 'expired', 'failed', 'rejected']);

function statusEvent(id: string, status: string, code: string | number | undefined): WebhookEvent[] {
  if (status === 'delivered') return [{ kind: 'status', providerMessageId: id, status: 'DELIVERED' }];
  if (status === 'read') return [{ kind: 'status', providerMessageId: id, status: 'READ' }];
  if (FAILED.has(status)) return [{ kind: 'status', providerMessageId: id, status: 'FAILED', code: `messagebird:${code ?? status}` }];
  return [];
}

/** `params`: query string and body merged (status reports may come as GET or POST). */
export function parseMessageBird(params: unknown): WebhookEvent[] {
  const conversation = conversationEvent.safeParse(params);
  if (conversation.success) {
    const { message } = conversation.data;
    if (message.direction === 'received') {
      const channel = message.platform === 'whatsapp' ? 'whatsapp' : message.platform === 'sms' ? 'sms' : undefined;
      const text = message.content?.text;
      return channel && message.from && text !== undefined ? [{ kind: 'inbound', channel, from: message.from, text }] : [];
    }
    return message.status ? statusEvent(message.id, message.status, message.error?.code) : [];
  }
  const sms = smsParams.safeParse(params);
  if (!sms.success) return [];
  const { id, status, statusErrorCode, originator, body } = sms.data;
  if (status === undefined && originator && body !== undefined) return [{ kind: 'inbound', channel: 'sms', from: originator, text: body }];
  return id && status ? statusEvent(id, status, statusErrorCode) : [];
}
