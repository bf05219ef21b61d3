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

/** SQLSTATEs of a database that is too busy rather than of a bad request: statement timeout, too many connections. */
const BUSY_SQLSTATES = new Set(['57014', '53300']);

/**
 * The database could not serve the query in time: no pooled connection became free, an
 * interactive transaction could not start (P2028), or a statement ran past statement_timeout.
 * The same request may well succeed a moment later.
 */
export function isDatabaseBusy(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (code === 'P2028' || code === 'P2024') return true;
  const cause = postgresCause(err);
  if (cause && BUSY_SQLSTATES.has(cause.originalCode ?? cause.code ?? '')) return true;
  return /timeout exceeded when trying to connect|Unable to start a transaction in the given time|Connection terminated due to connection timeout/i.test(String(message ?? ''));
}
