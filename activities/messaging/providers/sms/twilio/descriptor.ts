/** Twilio SMS as the API and the seed see it: credential schema and secret fields. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';

const credentials = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID: AC and 32 hex digits'),
  authToken: z.string().min(1),
  from: z.string().regex(/^(\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32})$/, 'must be an E.164 number or a Messaging Service SID (MG…)'),
});
export type TwilioCredentials = z.infer<typeof credentials>;

export const twilioSmsDescriptor: ProviderDescriptor<'sms', TwilioCredentials> = {
  provider: 'twilio',
  channel: 'sms',
  label: 'Twilio SMS',
  credentials,
  secretFields: ['authToken'],
};
