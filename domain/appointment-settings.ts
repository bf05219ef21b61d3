/**
 * A clinic's appointment settings (Clinic.settings.appointments): reminder offsets and channels,
 * the no-show grace, the follow-up reminder. Read by the API and the activities; kept out of
 * appointments.ts so that the workflow sandbox, which imports that, never loads zod.
 */
import { z } from 'zod';
import { settingsSection } from './clinic-settings';
import { CHANNELS } from './messaging';

/** A clinic's appointment settings (Clinic.settings.appointments), with their defaults. */
export const appointmentSettingsSchema = z.object({
  /** Reminders this many minutes before the start; default 24 h and 2 h. */
  reminderOffsetsMinutes: z
    .array(z.number().int().min(5).max(60 * 24 * 14))
    .max(5)
    .default([24 * 60, 120]),
  /** Channels in the clinic's order of preference; the patient's own preferences come first. */
  reminderChannels: z.array(z.enum(CHANNELS)).min(1).default(['email', 'sms']),
  /** Not checked in by start + this → NO_SHOW. */
  noShowGraceMinutes: z.number().int().min(0).max(240).default(15),
  /** A follow-up reminder goes this many days before the suggested follow-up date. */
  followUpReminderDaysBefore: z.number().int().min(0).max(60).default(7),
});
export type AppointmentSettings = z.output<typeof appointmentSettingsSchema>;

export const appointmentSettingsOf = (clinicSettings: unknown): AppointmentSettings => settingsSection(clinicSettings, 'appointments', appointmentSettingsSchema);
