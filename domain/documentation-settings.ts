/**
 * A clinic's documentation settings (Clinic.settings.documentation): the hours a practitioner has
 * to sign a session's report. Kept out of documentation.ts so that the workflow sandbox, which
 * imports that, never loads zod.
 */
import { z } from 'zod';

export const documentationSettingsSchema = z.object({
  /** Hours after completion within which the session's report must be signed. */
  deadlineHours: z.number().int().min(1).max(24 * 14).default(24),
});
export type DocumentationSettings = z.output<typeof documentationSettingsSchema>;

export function documentationSettingsOf(clinicSettings: unknown): DocumentationSettings {
  const raw = (clinicSettings as { documentation?: unknown } | null)?.documentation ?? {};
  const parsed = documentationSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : documentationSettingsSchema.parse({});
}
