/**
 * A clinic's payment reminder settings (Clinic.settings.paymentReminders) with their defaults:
 * the monthly reminder's day, hour, channels and template, and the chase's follow-ups. Kept out of
 * payment-reminders.ts so that the workflow sandbox, which imports that, never loads zod.
 */
import { z } from 'zod';
import { settingsSection } from './clinic-settings';
import { CHANNELS } from './messaging';
import { PAYMENT_REMINDER_TEMPLATES } from './payment-reminders';

export const paymentReminderSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Day of the month in the clinic's time zone; at most the 28th, so every month has it. */
    dayOfMonth: z.number().int().min(1).max(28).default(15),
    /** Hour of that day, clinic time. */
    hour: z.number().int().min(0).max(23).default(9),
    /** In the clinic's order of preference; the patient's own preferences still come first. */
    channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).default(['sms']),
    template: z.enum(PAYMENT_REMINDER_TEMPLATES).default('payment-reminder'),
    /** Follow-ups this many days after the reminder while the balance stays unpaid. */
    followUpDays: z.array(z.number().int().min(1).max(60)).max(3).default([7, 14]),
    /** Days after the reminder when a still-unpaid balance is reported to the clinic's accountants. */
    finalNoticeDays: z.number().int().min(1).max(90).default(21),
  })
  .strict()
  .superRefine((s, ctx) => {
    const days = [...s.followUpDays, s.finalNoticeDays];
    if (days.some((d, i) => i > 0 && d <= days[i - 1]!)) {
      ctx.addIssue({ code: 'custom', path: ['followUpDays'], message: 'follow-up days must increase, and the final notice must come after the last follow-up' });
    }
    if (new Set(s.channels).size !== s.channels.length) ctx.addIssue({ code: 'custom', path: ['channels'], message: 'each channel at most once' });
  });
export type PaymentReminderSettings = z.output<typeof paymentReminderSettingsSchema>;

export const paymentReminderSettingsOf = (clinicSettings: unknown): PaymentReminderSettings => settingsSection(clinicSettings, 'paymentReminders', paymentReminderSettingsSchema);
