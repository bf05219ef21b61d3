/** Database refusals that carry meaning for callers, recognised from what Prisma's pg adapter reports. */
import { Prisma } from './generated/client';

interface AdapterCause {
  code?: string;
  originalCode?: string;
  message?: string;
}

/** The PostgreSQL error under a Prisma error raised through the driver adapter, if any. */
function postgresCause(err: unknown): AdapterCause | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = err.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

/**
 * An exclusion constraint refused the row (SQLSTATE 23P01), optionally a named one: for
 * appointments, the practitioner or the patient is already booked at that time.
 */
export function isExclusionViolation(err: unknown, constraint?: string): boolean {
  const cause = postgresCause(err);
  if (!cause || (cause.originalCode ?? cause.code) !== '23P01') return false;
  return constraint === undefined || (cause.message ?? '').includes(`"${constraint}"`);
}
