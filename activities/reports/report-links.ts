/**
 * The link in a clinic's monthly report e-mail: /api/v1/report-links/<token>, where the token
 * names the clinic and month and when it expires, and is signed (HMAC with a key derived from
 * JWT_SECRET), so nobody can read another clinic's report or keep a link alive. The PDF is built
 * when the link is followed: nothing is stored, and an e-mail never carries the figures.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long the link in a monthly report e-mail works. */
export const REPORT_LINK_TTL_DAYS = 30;

const signer = (secret: string) => createHmac('sha256', secret).update('clinicflow report links').digest();
const signature = (secret: string, payload: string) => createHmac('sha256', signer(secret)).update(payload).digest().subarray(0, 18);

export interface ReportLink {
  clinicId: string;
  /** yyyy-mm */
  month: string;
  expiresAt: Date;
}

export function reportToken(secret: string, link: ReportLink): string {
  const payload = `${link.clinicId}|${link.month}|${Math.floor(link.expiresAt.getTime() / 1000)}`;
  return `${Buffer.from(payload).toString('base64url')}.${signature(secret, payload).toString('base64url')}`;
}

/** What a token names, or null for one not made with this secret (expiry is the caller's to check). */
export function reportLinkOfToken(secret: string, token: string): ReportLink | null {
  const [body, sig] = token.split('.');
  if (!body || !sig) return null;
  const payload = Buffer.from(body, 'base64url').toString();
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [clinicId, month, expires] = payload.split('|');
  if (!clinicId || !month || !/^\d{4}-\d{2}$/.test(month) || !/^\d+$/.test(expires ?? '')) return null;
  return { clinicId, month, expiresAt: new Date(Number(expires) * 1000) };
}

export const reportUrl = (baseUrl: string, secret: string, link: ReportLink) => `${baseUrl.replace(/\/$/, '')}/api/v1/report-links/${reportToken(secret, link)}`;
