/**
 * The link in a clinic's monthly report e-mail: /api/v1/report-links/<token>, where the token
 * (prisma/signed-links.ts) names the clinic and month and when it expires, so nobody can read
 * another clinic's report or keep a link alive. The PDF is built
 * when the link is followed: nothing is stored, and an e-mail never carries the figures.
 */
import { openLink, signLink } from '../../prisma/signed-links';

/** How long the link in a monthly report e-mail works. */
export const REPORT_LINK_TTL_DAYS = 30;

const PURPOSE = 'monthly report';

export interface ReportLink {
  clinicId: string;
  /** yyyy-mm */
  month: string;
  expiresAt: Date;
}

export function reportToken(secret: string, link: ReportLink): string {
  return signLink(secret, PURPOSE, [link.clinicId, link.month], link.expiresAt);
}

/** What a token names, or null for one not made with this secret (expiry is the caller's to check). */
export function reportLinkOfToken(secret: string, token: string): ReportLink | null {
  const link = openLink(secret, PURPOSE, token);
  const [clinicId, month, ...rest] = link?.fields ?? [];
  if (!link || !clinicId || !month || !/^\d{4}-\d{2}$/.test(month) || rest.length) return null;
  return { clinicId, month, expiresAt: link.expiresAt };
}

export const reportUrl = (baseUrl: string, secret: string, link: ReportLink) => `${baseUrl.replace(/\/$/, '')}/api/v1/report-links/${reportToken(secret, link)}`;
