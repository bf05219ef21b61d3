/** Meta's WhatsApp Cloud API as the API and the seed see it: credential schema and secret fields. No HTTP code. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

const numericId = (what: string) => z.string().regex(/^\d+$/, `${what} is the numeric id shown in WhatsApp Manager`);

export const metaCloudCredentials = z.object({
  phoneNumberId: numericId('phoneNumberId'),
  accessToken: z.string().min(20, 'accessToken looks truncated'),
  businessAccountId: numericId('businessAccountId').optional(),
  /** Not used to send: kept for verifying the X-Hub-Signature-256 of status webhooks. */
  appSecret: z.string().min(1).optional(),
  /** Not used to send: the token Meta's webhook subscription handshake must present (api/webhooks/meta.ts). */
  webhookVerifyToken: z.string().min(1).optional(),
  graphApiVersion: z.string().regex(/^v\d+\.\d+$/, 'graphApiVersion looks like v21.0').default('v21.0'),
});
export type MetaCloudCredentials = z.output<typeof metaCloudCredentials>;

export const metaCloudDescriptor: ProviderDescriptor<'whatsapp', MetaCloudCredentials> = {
  provider: 'meta',
  channel: 'whatsapp',
  label: 'WhatsApp (Meta Cloud API)',
  credentials: metaCloudCredentials,
  secretFields: ['accessToken', 'appSecret', 'webhookVerifyToken'],
};
