/** MessageBird SMS as the API and the seed see it: credential schema and secret fields. No HTTP code. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

const credentials = z.object({
  accessKey: z.string().min(1),
  originator: z
    .string()
    .regex(/^(\+?[1-9]\d{1,15}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be a phone number or an alphanumeric sender of at most 11 characters'),
  /** Not used to send: verifies MessageBird-Signature-JWT on webhooks (api/webhooks/messagebird.ts). */
  signingKey: z.string().min(1).optional(),
});
export type MessageBirdCredentials = z.infer<typeof credentials>;

export const messageBirdSmsDescriptor: ProviderDescriptor<'sms', MessageBirdCredentials> = {
  provider: 'messagebird',
  channel: 'sms',
  label: 'MessageBird SMS',
  credentials,
  secretFields: ['accessKey', 'signingKey'],
};
