import { type z } from 'zod';

/**
 * One section of a clinic's settings (Clinic.settings.<section>), read through its schema: its
 * values with the schema's defaults filled in, or every default when the stored section does not
 * match (settings are validated when written, so this only guards rows written by older code).
 */
export function settingsSection<S extends z.ZodType>(clinicSettings: unknown, section: string, schema: S): z.output<S> {
  const raw = (clinicSettings as Record<string, unknown> | null)?.[section] ?? {};
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : schema.parse({});
}
