/**
 * The download link in an invoice's, receipt's or credit note's message: /api/v1/documents/<token>,
 * served without signing in. The token (prisma/signed-links.ts) names the document and when the
 * link expires. It is a credential: the access log redacts it and nothing logs it.
 */
import { DOCUMENT_LINK_TTL_DAYS } from '../../domain/billing';
import { openLink, signLink } from '../signed-links';

export type LinkedDocument = 'invoice' | 'receipt' | 'credit-note';
const KINDS: readonly LinkedDocument[] = ['invoice', 'receipt', 'credit-note'];

const PURPOSE = 'document';

export function documentToken(secret: string, kind: LinkedDocument, id: string, expiresAt: Date): string {
  return signLink(secret, PURPOSE, [kind, id], expiresAt);
}

/** The document a token names, or null for a forged one; `expired` when its time has passed. */
export function documentOfToken(secret: string, token: string, now: Date): { kind: LinkedDocument; id: string; expired: boolean } | null {
  const link = openLink(secret, PURPOSE, token);
  const [kind, id, ...rest] = link?.fields ?? [];
  if (!link || !KINDS.includes(kind as LinkedDocument) || !id || rest.length) return null;
  return { kind: kind as LinkedDocument, id, expired: now.getTime() > link.expiresAt.getTime() };
}

export function documentUrl(links: { baseUrl: string; secret: string }, kind: LinkedDocument, id: string, now = new Date()): string {
  const expiresAt = new Date(now.getTime() + DOCUMENT_LINK_TTL_DAYS * 86_400_000);
  return `${links.baseUrl.replace(/\/$/, '')}/api/v1/documents/${documentToken(links.secret, kind, id, expiresAt)}`;
}
