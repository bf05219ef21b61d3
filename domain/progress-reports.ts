/**
 * Progress report templates and the values a report holds. A template is sections of fields;
 * a report's values are {sectionKey: {fieldKey: value}}, checked by a zod schema built from its
 * template (valuesSchema), so a wrong value answers 400 with its path (values.<section>.<field>).
 */
import { z } from 'zod';
import { text } from './text';

export const FIELD_TYPES = ['text', 'scale', 'checkbox', 'goal'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const GOAL_STATUSES = ['NOT_STARTED', 'IN_PROGRESS', 'ACHIEVED', 'NOT_ACHIEVED'] as const;
export const SCALE_MIN = 0;
export const SCALE_MAX = 10;

const key = text().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'must be a short key such as painLevel');
const unique = <T extends { key: string }>(list: T[]) => new Set(list.map((i) => i.key)).size === list.length;

export const templateField = z.object({
  key,
  label: text().trim().min(1).max(200),
  type: z.enum(FIELD_TYPES),
  /** Must be filled before the report can be signed. */
  required: z.boolean().default(false),
});

export const templateSection = z.object({
  key,
  title: text().trim().min(1).max(200),
  fields: z.array(templateField).min(1).max(50).refine(unique, { message: 'two fields share a key' }),
});

export const templateSections = z.array(templateSection).min(1).max(30).refine(unique, { message: 'two sections share a key' });
export type TemplateSection = z.output<typeof templateSection>;

const goalValue = z.object({ status: z.enum(GOAL_STATUSES), note: text().max(2000).optional() }).strict();

function fieldSchema(type: FieldType) {
  switch (type) {
    case 'text':
      return text().max(10_000);
    case 'scale':
      return z.number().int().min(SCALE_MIN).max(SCALE_MAX);
    case 'checkbox':
      return z.boolean();
    case 'goal':
      return goalValue;
  }
}

/**
 * The values a report on this template may hold. `complete`: every required field filled (for
 * signing); otherwise any field may be missing (a draft), but what is there must be right.
 * Unknown sections or fields are refused: they would vanish from the PDF unseen.
 */
export function valuesSchema(sections: readonly TemplateSection[], { complete }: { complete: boolean }) {
  const shape: Record<string, z.ZodType> = {};
  for (const section of sections) {
    const fields: Record<string, z.ZodType> = {};
    for (const f of section.fields) fields[f.key] = complete && f.required ? fieldSchema(f.type) : fieldSchema(f.type).optional();
    const obj = z.object(fields).strict();
    shape[section.key] = complete && section.fields.some((f) => f.required) ? obj : obj.optional();
  }
  return z.object(shape).strict();
}

export type ReportValues = Record<string, Record<string, unknown> | undefined>;

export interface ScoreComparison {
  section: string;
  field: string;
  label: string;
  before: number | null;
  after: number | null;
  delta: number | null;
}

/** Per scale field of the later report's template: the earlier and later score and their difference. */
export function compareScores(sections: readonly TemplateSection[], before: ReportValues, after: ReportValues): ScoreComparison[] {
  const score = (v: ReportValues, s: string, f: string) => {
    const value = v[s]?.[f];
    return typeof value === 'number' ? value : null;
  };
  return sections.flatMap((s) =>
    s.fields
      .filter((f) => f.type === 'scale')
      .map((f) => {
        const b = score(before, s.key, f.key);
        const a = score(after, s.key, f.key);
        return { section: s.key, field: f.key, label: f.label, before: b, after: a, delta: a !== null && b !== null ? a - b : null };
      }),
  );
}

/** A template's sections as stored (JSON); templates are validated on the way in. */
export const sectionsOf = (json: unknown): TemplateSection[] => templateSections.parse(json);
