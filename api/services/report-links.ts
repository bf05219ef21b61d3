/**
 * The download link of a shared progress report: /api/v1/report-downloads/<token>, where the token
 * names the report and its expiry and is signed (HMAC-SHA256 with a key derived from JWT_SECRET),
 * so it can be neither guessed, pointed at another report, nor extended. The token is a
 * credential: the access log redacts it (api/middleware/request-logging.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const signer = (secret: string) => createHmac('sha256', secret).update('clinicflow report downloads').digest();
const signature = (secret: string, payload: string) => createHmac('sha256', signer(secret)).update(payload).digest().subarray(0, 24);

export function reportDownloadToken(secret: string, reportId: string, expiresAt: Date): string {
  const payload = `${reportId}.${expiresAt.getTime()}`;
  return `${Buffer.from(payload).toString('base64url')}.${signature(secret, payload).toString('base64url')}`;
}

/** The report and expiry a token names, or null for a token this secret did not sign. */
export function readReportDownloadToken(secret: string, token: string): { reportId: string; expiresAt: Date } | null {
  const [encoded, sig, ...rest] = token.split('.');
  if (!encoded || !sig || rest.length) return null;
  const payload = Buffer.from(encoded, 'base64url').toString();
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [reportId, ms] = payload.split('.');
  const expiresAt = new Date(Number(ms));
  return reportId && !Number.isNaN(expiresAt.getTime()) ? { reportId, expiresAt } : null;
}

export const reportDownloadUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/api/v1/report-downloads/${token}`;
