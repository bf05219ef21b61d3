/**
 * A clinic's documentation settings (Clinic.settings.documentation): the hours a practitioner has
 * to sign a session's report. Kept out of documentation.ts so that the workflow sandbox, which
 * imports that, never loads zod.
 */
import { z } from 'zod';
import { settingsSection } from './clinic-settings';

export const documentationSettingsSchema = z.object({
  /** Hours after completion within which the session's report must be signed. */
  deadlineHours: z.number().int().min(1).max(24 * 14).default(24),
});
export type DocumentationSettings = z.output<typeof documentationSettingsSchema>;

export const documentationSettingsOf = (clinicSettings: unknown): DocumentationSettings => settingsSection(clinicSettings, 'documentation', documentationSettingsSchema);
