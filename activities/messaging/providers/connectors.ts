/**
 * The code that talks to each vendor, with its SDK: the worker's side of the providers (through
 * provider-access.ts). Anything that only needs a provider's schema reads descriptors.ts instead.
 */
import { type Channel } from '../../../domain/messaging';
import { sesEmailProvider } from './email/ses/connector';
import { smtpEmailProvider } from './email/smtp/connector';
import { fcmPush } from './push/fcm/connector';
import { messageBirdSms } from './sms/messagebird/connector';
import { twilioSms } from './sms/twilio/connector';
import { vonageSms } from './sms/vonage/connector';
import { type ProviderConnector } from './types';
import { messageBirdWhatsApp } from './whatsapp/messagebird/connector';
import { metaCloudWhatsApp } from './whatsapp/meta/connector';
import { twilioWhatsApp } from './whatsapp/twilio/connector';
import { vonageWhatsApp } from './whatsapp/vonage/connector';

const CONNECTORS: readonly ProviderConnector[] = [
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
] as readonly ProviderConnector[];

export function connectorFor(channel: Channel, provider: string): ProviderConnector | undefined {
  return CONNECTORS.find((c) => c.channel === channel && c.provider === provider);
}

export function connectorsFor(channel: Channel): readonly ProviderConnector[] {
  return CONNECTORS.filter((c) => c.channel === channel);
}
