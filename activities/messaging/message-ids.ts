import { createHash } from 'node:crypto';

/**
 * A message id derived from what the message is for (e.g. clinic, alert and recipient), so an
 * activity retried after it already created the message creates nothing twice.
 */
export function stableMessageId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('|')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
