/**
 * The download link in an invoice's, receipt's or credit note's message: /api/v1/documents/<token>,
 * served without signing in. The token names the document and when the link expires, signed with
 * a key derived from JWT_SECRET (as payment links are), so it can be neither guessed nor extended.
 * It is a credential: the access log redacts it and nothing logs it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DOCUMENT_LINK_TTL_DAYS } from '../../domain/billing';

export type LinkedDocument = 'invoice' | 'receipt' | 'credit-note';
const KINDS: readonly LinkedDocument[] = ['invoice', 'receipt', 'credit-note'];

const keyOf = (secret: string) => createHmac('sha256', secret).update('clinicflow document links').digest();
const sign = (secret: string, payload: string) => createHmac('sha256', keyOf(secret)).update(payload).digest().subarray(0, 18);

export function documentToken(secret: string, kind: LinkedDocument, id: string, expiresAt: Date): string {
  const payload = `${kind}:${id}:${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${Buffer.from(payload).toString('base64url')}.${sign(secret, payload).toString('base64url')}`;
}

/** The document a token names, or null for a forged one; `expired` when its time has passed. */
export function documentOfToken(secret: string, token: string, now: Date): { kind: LinkedDocument; id: string; expired: boolean } | null {
  const [encoded, sig] = token.split('.');
  if (!encoded || !sig) return null;
  const payload = Buffer.from(encoded, 'base64url').toString();
  const given = Buffer.from(sig, 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [kind, id, expires] = payload.split(':');
  if (!KINDS.includes(kind as LinkedDocument) || !id || !expires) return null;
  return { kind: kind as LinkedDocument, id, expired: now.getTime() > Number(expires) * 1000 };
}

export function documentUrl(links: { baseUrl: string; secret: string }, kind: LinkedDocument, id: string, now = new Date()): string {
  const expiresAt = new Date(now.getTime() + DOCUMENT_LINK_TTL_DAYS * 86_400_000);
  return `${links.baseUrl.replace(/\/$/, '')}/api/v1/documents/${documentToken(links.secret, kind, id, expiresAt)}`;
}
