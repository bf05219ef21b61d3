import { Prisma } from '../../prisma/generated/client';
import { ApiError } from './api-error';

export const isUniqueViolation = (err: unknown): boolean => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** Case-insensitive substring filter. Prisma sends `contains` as ILIKE unescaped: make % _ \ match themselves. */
export function containsText(q: string | undefined) {
  return q ? { contains: q.replace(/[\\%_]/g, '\\$&'), mode: 'insensitive' as const } : undefined;
}

/** Staff emails are unique across clinics; a create that lost the race to another gets the same answer as one that checked first. */
export const emailTaken = () => ApiError.conflict('EMAIL_TAKEN', 'A staff account with this email already exists');

export function rethrowEmailTaken(err: unknown): never {
  throw isUniqueViolation(err) ? emailTaken() : err;
}
