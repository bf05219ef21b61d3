/**
 * Vonage Messages API webhooks (message status and inbound, SMS and WhatsApp), JSON.
 * Signed webhooks (https://developer.vonage.com/en/getting-started/concepts/webhooks#decoding-signed-webhooks):
 * `Authorization: Bearer <JWT>`, HS256 with the account's signature secret, whose payload_hash
 * claim is the hex SHA-256 of the raw body. Checked with jsonwebtoken (what @vonage/jwt uses; its
 * verifySignature returns no claims, and the body hash is the point).
 */
import { createHash } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { type WebhookEvent } from './apply';
import { safeEqual } from './constant-time';

/**
 * Vonage's tokens carry iat but no exp. Older than this is refused: long enough for Vonage's own
 * retries, short enough that a captured callback cannot be replayed indefinitely.
 */
const MAX_AGE_SECONDS = 24 * 60 * 60;
const claims = z.object({ payload_hash: z.string(), iat: z.number() });

export function verifyVonage(signatureSecrets: string[], authorization: string | undefined, rawBody: Buffer): boolean {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return false;
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  return signatureSecrets.some((secret) => {
    try {
      // exp and nbf are checked too when present; iat is required for maxAge.
      const decoded = claims.safeParse(jwt.verify(token, secret, { algorithms: ['HS256'], maxAge: MAX_AGE_SECONDS, clockTolerance: 30 }));
      return decoded.success && safeEqual(decoded.data.payload_hash.toLowerCase(), bodyHash);
    } catch {
      return false;
    }
  });
}

const body = z.object({
  message_uuid: z.string().optional(),
  status: z.string().optional(),
  channel: z.string().optional(),
  from: z.string().optional(),
  text: z.string().optional(),
  error: z.object({ type: z.string().optional() }).optional(),
});

const FAILED = new Set(['rejected', 'undeliverable', 'failed']);

export function parseVonage(input: unknown): WebhookEvent[] {
  const parsed = body.safeParse(input);
  if (!parsed.success) return [];
  const { message_uuid: id, status, channel, from, text, error } = parsed.data;
  // Inbound messages have text and no status; only SMS and WhatsApp are ours.
  if (status === undefined && text !== undefined && from && (channel === 'sms' || channel === 'whatsapp')) {
    return [{ kind: 'inbound', channel, from, text }];
  }
  if (!id || !status) return [];
  if (status === 'delivered') return [{ kind: 'status', providerMessageId: id, status: 'DELIVERED' }];
  if (status === 'read') return [{ kind: 'status', providerMessageId: id, status: 'READ' }];
  if (FAILED.has(status)) {
    // error.type is a documentation URL ending in #<code>.
    const code = error?.type?.split('#')[1];
    return [{ kind: 'status', providerMessageId: id, status: 'FAILED', code: `vonage:${code ?? status}` }];
  }
  return [];
}
