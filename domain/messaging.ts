/** Messaging vocabulary shared by the API, the delivery workflow and the provider adapters. */
import { z } from 'zod';
import { TEMPLATE_KEYS } from './message-templates';
import { text } from './text';

export const CHANNELS = ['email', 'sms', 'whatsapp', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * How a provider failed, decided at the adapter edge from the vendor's own answer.
 * Transient kinds are retried with backoff; permanent kinds move on to the next provider or
 * channel at once (DESIGN.md §3).
 */
export const DELIVERY_ERROR_KINDS = {
  /** Timeouts, refused connections, 5xx: try again later. */
  TRANSIENT: 'transient',
  /** 429 or the vendor's own throttling: try again after retryAfterMs. */
  RATE_LIMITED: 'transient',
  /** The address, number or device token cannot receive messages. */
  INVALID_RECIPIENT: 'permanent',
  /** Credentials rejected or lacking permission: no retry will fix that. */
  AUTH: 'permanent',
  /** The vendor refuses this message (content, template, sender not allowed). */
  REJECTED: 'permanent',
  /** The recipient opted out at the vendor (e.g. replied STOP). */
  UNSUBSCRIBED: 'permanent',
} as const;
export type DeliveryErrorKind = keyof typeof DELIVERY_ERROR_KINDS;

export function isPermanent(kind: DeliveryErrorKind): boolean {
  return DELIVERY_ERROR_KINDS[kind] === 'permanent';
}

const positive = z.number().int().positive();

/**
 * One of the clinic's WhatsApp templates approved by Meta, standing in for a ClinicFlow template:
 * outside the 24-hour customer-service window WhatsApp delivers nothing but approved templates.
 */
export const whatsAppTemplateSchema = z.object({
  /** The approved template's name (Meta, Vonage, MessageBird) or, for Twilio, a name mapped to a Content SID or the SID itself. */
  name: text().trim().min(1).max(512),
  /** The message variables that fill the template's {{1}}, {{2}}, … in order, e.g. ["patientName", "date", "time"]. */
  parameters: z.array(text().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a variable name such as patientName')).max(20).default([]),
  /** WhatsApp's code for each language the message may be in, e.g. {"en": "en_US"}; by default the language itself. */
  languages: z.record(text().regex(/^[a-z]{2}$/), text().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a WhatsApp language code such as en_US')).default({}),
});
export type WhatsAppTemplate = z.output<typeof whatsAppTemplateSchema>;

/** A clinic's delivery settings for one channel, with their defaults. */
export const channelSettingsSchema = z.object({
  rateLimits: z
    .object({ perMinute: positive.optional(), perHour: positive.optional(), perDay: positive.optional(), burst: positive.optional().describe('per second') })
    .default({}),
  /** Attempts per provider before the next provider of the chain is tried. */
  retryAttempts: z.number().int().min(1).max(10).default(3),
  defaultLanguage: text().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default('en'),
  /** Use the platform's global default provider when every provider of the clinic's chain fails. */
  fallbackToGlobal: z.boolean().default(true),
  /** WhatsApp only: the approved template that carries each ClinicFlow template (confirmations, reminders…). */
  whatsappTemplates: z.partialRecord(z.enum(TEMPLATE_KEYS), whatsAppTemplateSchema).optional(),
});
export type ChannelSettings = z.output<typeof channelSettingsSchema>;
