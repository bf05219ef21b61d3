/**
 * Every provider ClinicFlow can deliver through, as the API, the seed and the config parser see it:
 * name, channel, credential schema and secret fields, without any vendor SDK (lint keeps it so).
 * Adding a provider: a folder <channel>/<provider>/ with descriptor.ts and connector.ts, one line
 * here and one in connectors.ts.
 */
import { type Channel } from '../../../domain/messaging';
import { sesDescriptor } from './email/ses/descriptor';
import { smtpDescriptor } from './email/smtp/descriptor';
import { fcmDescriptor } from './push/fcm/descriptor';
import { messageBirdSmsDescriptor } from './sms/messagebird/descriptor';
import { twilioSmsDescriptor } from './sms/twilio/descriptor';
import { vonageSmsDescriptor } from './sms/vonage/descriptor';
import { type ProviderDescriptor } from './types';
import { messageBirdWhatsAppDescriptor } from './whatsapp/messagebird/descriptor';
import { metaCloudDescriptor } from './whatsapp/meta/descriptor';
import { twilioWhatsAppDescriptor } from './whatsapp/twilio/descriptor';
import { vonageWhatsAppDescriptor } from './whatsapp/vonage/descriptor';

const DESCRIPTORS: readonly ProviderDescriptor[] = [
  smtpDescriptor,
  sesDescriptor,
  twilioSmsDescriptor,
  messageBirdSmsDescriptor,
  vonageSmsDescriptor,
  metaCloudDescriptor,
  twilioWhatsAppDescriptor,
  messageBirdWhatsAppDescriptor,
  vonageWhatsAppDescriptor,
  fcmDescriptor,
] as readonly ProviderDescriptor[];

export function findProvider(channel: Channel, provider: string): ProviderDescriptor | undefined {
  return DESCRIPTORS.find((p) => p.channel === channel && p.provider === provider);
}

export function providersFor(channel: Channel): readonly ProviderDescriptor[] {
  return DESCRIPTORS.filter((p) => p.channel === channel);
}
