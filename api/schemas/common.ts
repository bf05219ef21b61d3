import { z } from '../openapi/zod';
import { isValidTimeZone } from '../../domain/dates';
import { text } from '../../domain/text';

export const uuid = z.uuid();
export const idParams = z.object({ id: z.uuid() });
export const clinicIdParams = z.object({ clinicId: z.uuid() });

export const timeZone = z
  .string()
  .min(1)
  .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/London' });

export const email = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

/** Passwords: long enough to resist guessing; bcrypt reads at most 72 bytes. */
export const password = text().min(12, 'must be at least 12 characters').max(72);

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: text().min(1).optional(),
});

/** The Idempotency-Key header of writes that must not happen twice (bookings, payments). */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8 to 128 letters, digits or _ . : -')
  .describe('A key the caller makes up per request; repeating it answers with the first result instead of acting again');

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const errorEnvelopeSchema = z.object({
  success: z.literal(false),
  error: z.object({
    code: text(),
    message: text(),
    details: z.unknown().optional(),
    timestamp: text(),
    path: text(),
  }),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: text().nullable() });
}
