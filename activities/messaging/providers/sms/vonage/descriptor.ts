/** Vonage SMS as the API and the seed see it: credential schema, secret fields, signature methods. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

/**
 * How the SMS API signs its callbacks, as chosen in the Vonage dashboard's API settings: MD5 of the
 * parameters plus the secret ("md5hash", Vonage's default) or a hex HMAC keyed by the secret.
 */
export const vonageSignatureMethod = z.enum(['md5hash', 'md5', 'sha1', 'sha256', 'sha512']);
export type VonageSignatureMethod = z.infer<typeof vonageSignatureMethod>;

const credentials = z.object({
  apiKey: z.string().min(1),
  apiSecret: z.string().min(1),
  from: z
    .string()
    .regex(/^(\+?[1-9]\d{1,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be a phone number or an alphanumeric sender of at most 11 characters'),
  /**
   * Not used to send: the account's signature secret, which checks the SMS API's signed delivery
   * receipts (api/webhooks/vonage-sms.ts) and the Messages API's webhook JWTs (api/webhooks/vonage.ts).
   */
  signatureSecret: z.string().min(1).optional(),
  /**
   * Not secret: the dashboard's signature method, which only the SMS API follows (Messages API JWTs
   * are always HS256). Absent: md5hash.
   */
  signatureMethod: vonageSignatureMethod.optional(),
});
export type VonageCredentials = z.infer<typeof credentials>;

export const vonageSmsDescriptor: ProviderDescriptor<'sms', VonageCredentials> = {
  provider: 'vonage',
  channel: 'sms',
  label: 'Vonage SMS',
  credentials,
  secretFields: ['apiSecret', 'signatureSecret'],
};
