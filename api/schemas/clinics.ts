import { appointmentSettingsSchema } from '../../domain/appointment-settings';
import { billingSettingsSchema } from '../../domain/billing';
import { documentationSettingsSchema } from '../../domain/documentation-settings';
import { LICENSE_TIER_CODES } from '../../domain/licensing';
import { paymentReminderSettingsSchema } from '../../domain/payment-reminder-settings';
import { z } from '../openapi/zod';
import { email, password, timeZone } from './common';
import { currency } from './scheduling';
import { jsonValue, text } from '../../domain/text';
import { returnOrigin } from './return-urls';

export const CLINIC_TYPES = ['CLINIC', 'THERAPY_CENTER'] as const;
export const SUBSCRIPTION_STATUSES = ['TRIAL', 'ACTIVE', 'PAST_DUE', 'SUSPENDED', 'CANCELLED'] as const;

const clinicSettings = z
  .object({
    appointments: appointmentSettingsSchema.optional().describe('Reminder offsets (minutes before), reminder channels, no-show grace, follow-up reminder lead'),
    documentation: documentationSettingsSchema.optional().describe("Hours after a session completes within which its practitioner signs the report (default 24)"),
    paymentReminders: paymentReminderSettingsSchema.optional().describe('Monthly payment reminders (also PUT /clinics/{clinicId}/notification-settings)'),
    inventory: z
      .object({ allowNegativeStock: z.boolean().default(false).describe('Let sessions and staff take stock below zero instead of 409 INSUFFICIENT_STOCK') })
      .optional()
      .describe('Stock rules'),
    billing: billingSettingsSchema.optional().describe('Invoices: tax label and rate (percent), whether prices include the tax, the channels documents are sent on'),
    paymentReturnOrigins: z
      .array(returnOrigin)
      .max(10)
      .optional()
      .describe("Origins (https://www.clinic.example) payment links may send patients back to, besides the API's own"),
  })
  .catchall(jsonValue())
  .describe('Clinic preferences');

export const createClinicBody = z
  .object({
    name: text().trim().min(2).max(200),
    type: z.enum(CLINIC_TYPES).default('CLINIC'),
    timezone: timeZone,
    licenseTier: z.enum(LICENSE_TIER_CODES),
    currency: currency.default('USD').describe('What patients are billed in'),
    settings: clinicSettings.optional(),
    admin: z.object({
      email,
      password,
      firstName: text().trim().min(1).max(100),
      lastName: text().trim().min(1).max(100),
      phone: text().trim().max(32).optional(),
    }),
  })
  .openapi('CreateClinicRequest');

export const updateClinicBody = z
  .object({
    name: text().trim().min(2).max(200).optional(),
    type: z.enum(CLINIC_TYPES).optional(),
    timezone: timeZone.optional(),
    currency: currency.optional(),
    settings: clinicSettings.optional(),
    licenseTier: z.enum(LICENSE_TIER_CODES).optional().describe('Platform staff only'),
    subscriptionStatus: z.enum(SUBSCRIPTION_STATUSES).optional().describe('Platform staff only'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .openapi('UpdateClinicRequest');

export const clinicResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    type: z.enum(CLINIC_TYPES),
    timezone: text(),
    licenseTier: text(),
    subscriptionStatus: z.enum(SUBSCRIPTION_STATUSES),
    currency: text(),
    settings: clinicSettings,
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('Clinic');
