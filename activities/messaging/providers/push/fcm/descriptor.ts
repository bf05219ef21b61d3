/** Firebase Cloud Messaging as the API and the seed see it: credential schema and secret fields. No SDK. */
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

export const fcmCredentials = z.object({
  projectId: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'must be a Firebase project id (lower case, digits, dashes)'),
  clientEmail: z.string().email('must be the service account e-mail'),
  // Keys pasted from a JSON file often keep their "\n" escapes.
  privateKey: z
    .string()
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine(isPrivateKey, 'must be the service account private key (PEM)'),
});
export type FcmCredentials = z.output<typeof fcmCredentials>;

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}

export const fcmDescriptor: ProviderDescriptor<'push', FcmCredentials> = {
  provider: 'fcm',
  channel: 'push',
  label: 'Firebase Cloud Messaging',
  credentials: fcmCredentials,
  secretFields: ['privateKey'],
};
