import { type Request } from 'express';
import { type Config } from '../../domain/config';

/**
 * The URL the vendor called, as it knows it. Twilio and MessageBird sign the full URL, and behind a
 * proxy or tunnel the host Express sees is not that one, so PUBLIC_API_URL (the address given to
 * vendors) wins. Without it, the request's own host is used: still safe, since a signature needs the
 * secret whatever URL it covers.
 */
export function publicUrl(config: Config, req: Request): string {
  const base = config.PUBLIC_API_URL ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  return `${base.replace(/\/+$/, '')}${req.originalUrl}`;
}
