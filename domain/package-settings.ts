/**
 * A clinic's package settings (Clinic.settings.packages): the cancellation window, what a late
 * cancellation or a no-show does to a package session, the expiry reminder. Kept out of
 * packages.ts so that the workflow sandbox, which imports that, never loads zod.
 */
import { z } from 'zod';
import { settingsSection } from './clinic-settings';

/** A clinic's package settings (Clinic.settings.packages), with their defaults. */
export const packageSettingsSchema = z.object({
  /** A cancellation at least this many hours before the session gives the session back to the package. */
  cancellationWindowHours: z.number().int().min(0).max(24 * 14).default(24),
  /** A cancellation inside the window spends the session. */
  lateCancellationUsesSession: z.boolean().default(true),
  /** A no-show spends the session. */
  noShowUsesSession: z.boolean().default(true),
  /** The patient is reminded this many days before unused sessions expire. */
  expiryReminderDays: z.number().int().min(1).max(60).default(7),
});
export type PackageSettings = z.output<typeof packageSettingsSchema>;

export const packageSettingsOf = (clinicSettings: unknown): PackageSettings => settingsSection(clinicSettings, 'packages', packageSettingsSchema);
