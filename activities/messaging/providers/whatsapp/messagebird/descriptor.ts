/** WhatsApp through MessageBird as the API and the seed see it: credential schema and secret fields. No HTTP code. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

export const messageBirdWhatsAppCredentials = z.object({
  accessKey: z.string().min(20, 'accessKey looks truncated'),
  /** The WhatsApp channel's id in MessageBird (32 hex digits). */
  channelId: z.string().regex(/^[0-9a-f]{32}$/i, 'must be the WhatsApp channel id: 32 hex digits'),
  /** The WhatsApp template namespace of the business account; required to send templates. */
  templateNamespace: z.string().min(1).optional(),
  /** Not used to send: verifies MessageBird-Signature-JWT on webhooks (api/webhooks/messagebird.ts). */
  signingKey: z.string().min(1).optional(),
});
export type MessageBirdWhatsAppCredentials = z.output<typeof messageBirdWhatsAppCredentials>;

export const messageBirdWhatsAppDescriptor: ProviderDescriptor<'whatsapp', MessageBirdWhatsAppCredentials> = {
  provider: 'messagebird',
  channel: 'whatsapp',
  label: 'WhatsApp (MessageBird)',
  credentials: messageBirdWhatsAppCredentials,
  secretFields: ['accessKey', 'signingKey'],
};
