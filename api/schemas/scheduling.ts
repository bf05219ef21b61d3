/** Field schemas shared by the therapy-type, practitioner and calendar endpoints. */
import { isIsoDate, isIsoInstant } from '../../domain/dates';
import { z } from '../openapi/zod';
import { text } from '../../domain/text';

/** A session length in minutes: five minutes to a working day. */
export const sessionMinutes = z.number().int().min(5).max(480);

const AMOUNT = /^\d{1,8}(\.\d{1,2})?$/;
/** An amount ≥ 0 with at most two decimals (Decimal(10,2)), sent as a number or a string; kept as a string so no float rounding creeps in. */
export const amount = z
  .union([text(), z.number()])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? String(v) : v.trim();
    if (!AMOUNT.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be an amount of at least 0 with at most two decimals, e.g. 45 or "45.50"' });
      return z.NEVER;
    }
    return text;
  })
  .openapi({ type: 'string', example: '45.00', description: 'A decimal string; a JSON number is accepted too' });

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const currency = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .refine((c) => /^[A-Z]{3}$/.test(c) && CURRENCIES.has(c), 'must be an ISO 4217 currency code such as EUR or GBP')
  .openapi({ type: 'string', example: 'EUR' });

/** A query bound: an instant with its offset, or a whole day in the practitioner's (or clinic's) zone. */
export const dateOrInstant = z
  .string()
  .refine((v) => isIsoDate(v) || isIsoInstant(v), 'must be a date-time with its offset (2026-10-22T09:00:00Z) or a date (YYYY-MM-DD)');
