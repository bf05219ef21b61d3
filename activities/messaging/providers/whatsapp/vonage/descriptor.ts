/** WhatsApp through Vonage as the API and the seed see it: credential schema and secret fields. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

export const vonageWhatsAppCredentials = z.object({
  apiKey: z.string().regex(/^[0-9a-zA-Z]{6,16}$/, 'must be the Vonage API key'),
  apiSecret: z.string().min(8, 'apiSecret looks truncated'),
  /** The clinic's WhatsApp Business number (E.164), used when a message names no sender. */
  from: z.string().regex(/^\+?[1-9]\d{6,14}$/, 'must be an E.164 number'),
  /** Not used to send: verifies the JWT of signed webhooks (api/webhooks/vonage.ts). */
  signatureSecret: z.string().min(1).optional(),
});
export type VonageWhatsAppCredentials = z.output<typeof vonageWhatsAppCredentials>;

export const vonageWhatsAppDescriptor: ProviderDescriptor<'whatsapp', VonageWhatsAppCredentials> = {
  provider: 'vonage',
  channel: 'whatsapp',
  label: 'WhatsApp (Vonage)',
  credentials: vonageWhatsAppCredentials,
  secretFields: ['apiSecret', 'signatureSecret'],
};
