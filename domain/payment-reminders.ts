/**
 * Monthly payment reminders and the chase of each outstanding balance: a clinic's settings
 * (Clinic.settings.paymentReminders) with their defaults, and the calendar rules the Schedule and
 * the workflows share. Pure: no I/O.
 */
import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';
import { localDate } from './dates';
import { CHANNELS } from './messaging';

/** Templates a clinic can choose for the monthly reminder; follow-ups and the final notice have their own. */
export const PAYMENT_REMINDER_TEMPLATES = ['payment-reminder', 'payment-reminder-short'] as const;

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

export function paymentReminderSettingsOf(clinicSettings: unknown): PaymentReminderSettings {
  const raw = (clinicSettings as { paymentReminders?: unknown } | null)?.paymentReminders ?? {};
  const parsed = paymentReminderSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : paymentReminderSettingsSchema.parse({});
}

/** The month (yyyy-mm) an instant falls in, in the clinic's time zone: a run's identity. */
export function reminderMonth(instant: Date, timeZone: string): string {
  return localDate(instant, timeZone).slice(0, 7);
}

/** What the chase of one balance does next, measured in days from the reminder. */
export type DunningStep = { kind: 'follow-up'; day: number; number: number } | { kind: 'final-notice'; day: number };

export function dunningSteps(settings: Pick<PaymentReminderSettings, 'followUpDays' | 'finalNoticeDays'>): DunningStep[] {
  return [
    ...settings.followUpDays.map((day, i): DunningStep => ({ kind: 'follow-up', day, number: i + 1 })),
    { kind: 'final-notice', day: settings.finalNoticeDays },
  ];
}

/** Days a payment link keeps working after the last follow-up that carries it. */
export const PAY_LINK_DAYS_AFTER_LAST_FOLLOW_UP = 31;

/**
 * When the links of a reminder (sent at `remindedAt`) stop working: a month after the chase's last
 * follow-up, 45 days with the default follow-ups. A link forwarded or leaked long after the chase
 * is over opens nothing.
 */
export function payLinkExpiresAt(remindedAt: Date, settings: Pick<PaymentReminderSettings, 'followUpDays'>): Date {
  const lastFollowUp = Math.max(0, ...settings.followUpDays);
  return new Date(remindedAt.getTime() + (lastFollowUp + PAY_LINK_DAYS_AFTER_LAST_FOLLOW_UP) * 24 * 60 * 60 * 1000);
}

/** Sent to a balance's chase when a payment for the patient is recorded (API or Stripe): it re-reads the balance at once. */
export const paymentReceivedSignal = defineSignal('paymentReceived');
