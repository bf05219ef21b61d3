/**
 * Monthly payment reminders and the chase of each outstanding balance: a clinic's settings
 * (Clinic.settings.paymentReminders) with their defaults, and the calendar rules the Schedule and
 * the workflows share. Pure: no I/O.
 */
import { defineSignal } from '@temporalio/workflow';
import { localDate } from './dates';
import { type PaymentReminderSettings } from './payment-reminder-settings';

/** Templates a clinic can choose for the monthly reminder; follow-ups and the final notice have their own. */
export const PAYMENT_REMINDER_TEMPLATES = ['payment-reminder', 'payment-reminder-short'] as const;

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

/** What a step of a balance's chase (a follow-up, the final notice) found: paid already, or the messages to deliver. */
export type ChaseStepResult = { settled: true } | { settled: false; messageIds: string[]; patientId: string | null };

/** Sent to a balance's chase when a payment for the patient is recorded (API or Stripe): it re-reads the balance at once. */
export const paymentReceivedSignal = defineSignal('paymentReceived');
