/**
 * The download link of a shared progress report: /api/v1/report-downloads/<token>, where the token
 * (prisma/signed-links.ts) names the report and its expiry. The token is a credential: the access
 * log redacts it (api/middleware/request-logging.ts).
 */
import { openLink, signLink } from '../../prisma/signed-links';

const PURPOSE = 'report download';

export function reportDownloadToken(secret: string, reportId: string, expiresAt: Date): string {
  return signLink(secret, PURPOSE, [reportId], expiresAt);
}

/** The report and expiry a token names, or null for a token this secret did not sign. */
export function readReportDownloadToken(secret: string, token: string): { reportId: string; expiresAt: Date } | null {
  const link = openLink(secret, PURPOSE, token);
  const [reportId, ...rest] = link?.fields ?? [];
  return link && reportId && !rest.length ? { reportId, expiresAt: link.expiresAt } : null;
}

export const reportDownloadUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/api/v1/report-downloads/${token}`;
