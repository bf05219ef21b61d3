/**
 * Text as ClinicFlow accepts it at every edge. PostgreSQL refuses a NUL character in text and
 * jsonb columns, and a lone UTF-16 surrogate has no UTF-8 form (jsonb refuses its escape, text
 * columns would store U+FFFD in its place). Both are refused where they arrive, with the field's
 * path, instead of failing deep inside a query or a workflow.
 *
 * Every string schema of the API and of domain is built with text(); free-form JSON (settings,
 * credentials) with jsonValue(), which applies the same rule to every key and string inside.
 */
import { z } from 'zod';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null when it can. */
export function unsafeTextReason(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds a lone surrogate)';
  return null;
}

const safeCharacters = z.superRefine<string>((value, ctx) => {
  const reason = unsafeTextReason(value);
  if (reason) ctx.addIssue({ code: 'custom', message: reason, input: value });
});

/**
 * A string schema that refuses NUL characters and lone surrogates: text() for z.string(), or
 * text(z.url()), text(z.email()) … for a string format. Chain .min(), .max(), .trim() as usual.
 */
export function text(): z.ZodString;
export function text<S extends z.ZodType<string, string>>(schema: S): S;
export function text(schema: z.ZodType<string, string> = z.string()): z.ZodType<string, string> {
  return schema.check(safeCharacters);
}

export interface JsonLimits {
  /** Levels of nesting of objects and arrays (the value itself is level 1). */
  maxDepth: number;
  /** Size of the value serialised as JSON, in UTF-16 code units (about bytes for Latin text). */
  maxLength: number;
}

export const SETTINGS_JSON_LIMITS: JsonLimits = { maxDepth: 8, maxLength: 16_384 };

type Path = (string | number)[];

/** The first problem of a JSON value, walked without recursion (a value may be nested thousands deep). */
function jsonProblem(root: unknown, limits: JsonLimits): { path: Path; message: string } | null {
  const stack: { value: unknown; path: Path; depth: number }[] = [{ value: root, path: [], depth: 1 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const reason = unsafeTextReason(value);
      if (reason) return { path, message: reason };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > limits.maxDepth) return { path, message: `must not be nested more than ${limits.maxDepth} levels deep` };
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string') {
        const reason = unsafeTextReason(key);
        if (reason) return { path: [...path, key], message: `key ${reason}` };
      }
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  const length = JSON.stringify(root)?.length ?? 0;
  if (length > limits.maxLength) return { path: [], message: `must be at most ${limits.maxLength} characters as JSON (it has ${length})` };
  return null;
}

/** Free-form JSON (a settings object, a provider's credentials): bounded depth and size, safe text throughout. */
export function jsonValue(limits: JsonLimits = SETTINGS_JSON_LIMITS): z.ZodUnknown {
  return z.unknown().check(
    z.superRefine((value, ctx) => {
      const problem = jsonProblem(value, limits);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path, input: value });
    }),
  );
}
