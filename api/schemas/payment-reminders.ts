import { paymentReminderSettingsSchema } from '../../domain/payment-reminder-settings';
import { z } from '../openapi/zod';
import { text } from '../../domain/text';

export const notificationSettingsBody = z
  .object({ paymentReminders: paymentReminderSettingsSchema })
  .strict()
  .openapi('NotificationSettingsInput', { description: 'Fields left out take their defaults: SMS on the 15th at 09:00 clinic time, follow-ups after 7 and 14 days, final notice after 21.' });

export const notificationSettingsResponse = z
  .object({
    paymentReminders: paymentReminderSettingsSchema,
    schedule: z.object({
      id: text(),
      timezone: text(),
      paused: z.boolean(),
      nextRunsAt: z.array(text()).describe('The next firings, UTC'),
    }),
  })
  .openapi('NotificationSettings');

export const reminderRunResponse = z
  .object({
    id: z.uuid(),
    month: text(),
    workflowId: text(),
    trigger: z.enum(['SCHEDULE', 'MANUAL']),
    startedAt: text(),
    finishedAt: text().nullable(),
    counts: z.object({
      found: z.number().int().describe('Patients with outstanding dues'),
      reminded: z.number().int().describe('Reminders a provider accepted'),
      suppressed: z.number().int(),
      failed: z.number().int(),
      pending: z.number().int().describe('Still being delivered'),
      settled: z.number().int().describe('Balances paid since'),
    }),
  })
  .openapi('PaymentReminderRun');
