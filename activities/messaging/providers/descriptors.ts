/**
 * Every provider ClinicFlow can deliver through. Adding one: a new file implementing
 * ProviderDefinition for its channel, and one line here.
 */
import { type Channel } from '../../../domain/messaging';
import { sesEmailProvider } from './email/ses';
import { smtpEmailProvider } from './email/smtp';
import { messageBirdSms } from './sms/messagebird';
import { twilioSms } from './sms/twilio';
import { vonageSms } from './sms/vonage';
import { fcmPush } from './push/fcm';
import { type ProviderDefinition } from './types';
import { metaCloudWhatsApp } from './whatsapp/meta-cloud';
import { messageBirdWhatsApp } from './whatsapp/messagebird-whatsapp';
import { twilioWhatsApp } from './whatsapp/twilio-whatsapp';
import { vonageWhatsApp } from './whatsapp/vonage-whatsapp';

const PROVIDERS: readonly ProviderDefinition[] = [
  smtpEmailProvider,
  sesEmailProvider,
  twilioSms,
  messageBirdSms,
  vonageSms,
  metaCloudWhatsApp,
  twilioWhatsApp,
  messageBirdWhatsApp,
  vonageWhatsApp,
  fcmPush,
] as readonly ProviderDefinition[];

export function findProvider(channel: Channel, provider: string): ProviderDefinition | undefined {
  return PROVIDERS.find((p) => p.channel === channel && p.provider === provider);
}

export function providersFor(channel: Channel): readonly ProviderDefinition[] {
  return PROVIDERS.filter((p) => p.channel === channel);
}
