/**
 * Signs webhook requests the way each vendor does, with the vendor's own helper where one exists
 * (Twilio), so the API's verifiers are tested against an independent implementation.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import twilio from 'twilio';

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
/** Claims set to undefined are left out: how a test removes a claim the vendor would send. */
const defined = (claims: Record<string, unknown>) => Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));

/** X-Twilio-Signature for a form POST to `url`. */
export const twilioSignature = (authToken: string, url: string, params: Record<string, string>) => twilio.getExpectedTwilioSignature(authToken, url, params);

/** X-Hub-Signature-256 for a Meta webhook body. */
export const metaSignature = (appSecret: string, body: string) => `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;

/** Authorization header of a Vonage signed webhook. */
export function vonageAuthorization(signatureSecret: string, body: string, claims: Record<string, unknown> = {}): string {
  const token = jwt.sign(defined({ iat: Math.floor(Date.now() / 1000), jti: randomUUID(), iss: 'Vonage', payload_hash: sha256Hex(body), ...claims }), signatureSecret, { algorithm: 'HS256' });
  return `Bearer ${token}`;
}

/** MessageBird-Signature-JWT for a request to `url` with this body (none for GET). */
export function messageBirdSignature(signingKey: string, url: string, body?: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    defined({ iss: 'MessageBird', nbf: now, iat: now, exp: now + 60, jti: randomUUID(), url_hash: sha256Hex(url), ...(body ? { payload_hash: sha256Hex(body) } : {}), ...claims }),
    signingKey,
    { algorithm: 'HS256' },
  );
}
