/**
 * The tokens of links that open something without signing in (a document's PDF, a shared progress
 * report, a monthly report): what the link opens and when it stops working, signed with HMAC-SHA256
 * under a key derived from the secret (JWT_SECRET) and the link's purpose, so a token can be neither
 * guessed, pointed at something else, used for another purpose, nor extended. A token is a
 * credential: the access log redacts the paths that carry one (api/middleware/request-logging.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const keyOf = (secret: string, purpose: string) => createHmac('sha256', secret).update(`clinicflow ${purpose} links`).digest();
const signature = (secret: string, purpose: string, payload: string) => createHmac('sha256', keyOf(secret, purpose)).update(payload).digest().subarray(0, 18);

/** `fields` name what the link opens (ids, kinds, months: no "|" in them). */
export function signLink(secret: string, purpose: string, fields: readonly string[], expiresAt: Date): string {
  if (fields.some((f) => f.includes('|'))) throw new Error('A link field cannot contain "|"');
  const payload = [...fields, String(Math.floor(expiresAt.getTime() / 1000))].join('|');
  return `${Buffer.from(payload).toString('base64url')}.${signature(secret, purpose, payload).toString('base64url')}`;
}

/** What a token signed for this purpose names, and its expiry (the caller compares it with its clock); null for any other token. */
export function openLink(secret: string, purpose: string, token: string): { fields: string[]; expiresAt: Date } | null {
  const [encoded, sig, ...rest] = token.split('.');
  if (!encoded || !sig || rest.length) return null;
  const payload = Buffer.from(encoded, 'base64url').toString();
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(secret, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const parts = payload.split('|');
  const expires = parts.pop();
  if (!expires || !/^\d+$/.test(expires)) return null;
  return { fields: parts, expiresAt: new Date(Number(expires) * 1000) };
}
