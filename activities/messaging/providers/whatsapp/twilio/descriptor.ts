/** WhatsApp through Twilio as the API and the seed see it: credential schema and secret fields. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

/** A Twilio Content API SID: how Twilio names an approved WhatsApp template. */
export const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

export const twilioWhatsAppCredentials = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID: AC and 32 hex digits'),
  authToken: z.string().min(1),
  /** The clinic's WhatsApp-enabled number (E.164, with or without "whatsapp:") or a Messaging Service SID. */
  from: z.string().regex(/^((whatsapp:)?\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number (optionally whatsapp:+…) or a Messaging Service SID (MG…)'),
  /**
   * Approved templates live in Twilio's Content API under HX SIDs, while messages name them:
   * keys are "name:language" or "name", values the Content SID. A template name that is itself
   * an HX SID needs no entry.
   */
  contentSids: z.record(z.string().min(1), z.string().regex(CONTENT_SID, 'must be a Content SID: HX and 32 hex digits')).default({}),
});
export type TwilioWhatsAppCredentials = z.output<typeof twilioWhatsAppCredentials>;

export const twilioWhatsAppDescriptor: ProviderDescriptor<'whatsapp', TwilioWhatsAppCredentials> = {
  provider: 'twilio',
  channel: 'whatsapp',
  label: 'WhatsApp (Twilio)',
  credentials: twilioWhatsAppCredentials,
  secretFields: ['authToken'],
};
