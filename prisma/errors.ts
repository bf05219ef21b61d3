/** Database refusals that carry meaning for callers, recognised from what Prisma's pg adapter reports. */
import { DATABASE_FAILURES, type DatabaseFailureType } from '../domain/database-failures';
import { Prisma } from './generated/client';

interface AdapterCause {
  code?: string;
  originalCode?: string;
  message?: string;
}

/**
 * The PostgreSQL error under a Prisma error raised through the driver adapter, if any. A query's
 * error comes wrapped in a known request error; a failed COMMIT of an interactive transaction
 * (a deferred trigger's refusal) arrives as the adapter's own DriverAdapterError.
 */
function postgresCause(err: unknown): AdapterCause | undefined {
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    const meta = err.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
    return meta?.driverAdapterError?.cause;
  }
  if (err instanceof Error && err.name === 'DriverAdapterError') return (err as Error & { cause?: AdapterCause }).cause;
  return undefined;
}

/** The SQLSTATE of a PostgreSQL error under a Prisma or adapter error, if any. */
const sqlStateOf = (cause: AdapterCause | undefined): string | undefined => cause?.originalCode ?? cause?.code;

/**
 * An exclusion constraint refused the row (SQLSTATE 23P01), optionally a named one: for
 * appointments, the practitioner or the patient is already booked at that time.
 */
export function isExclusionViolation(err: unknown, constraint?: string): boolean {
  const cause = postgresCause(err);
  if (!cause || sqlStateOf(cause) !== '23P01') return false;
  return constraint === undefined || (cause.message ?? '').includes(`"${constraint}"`);
}

/**
 * The appointment trigger refused a booking at commit (SQLSTATE CF402, raised by
 * appointment_month_usage_track): the tier's monthly appointment limit is reached.
 */
export function isMonthLimitRefusal(err: unknown): boolean {
  return sqlStateOf(postgresCause(err)) === 'CF402';
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
  if (BUSY_SQLSTATES.has(sqlStateOf(cause) ?? '')) return true;
  return /timeout exceeded when trying to connect|Unable to start a transaction in the given time|Connection terminated due to connection timeout/i.test(String(message ?? ''));
}

/** A database refusal that no retry can cure: its failure type and a description that quotes no value. */
export interface PermanentDatabaseError {
  type: DatabaseFailureType;
  /** Prisma's code, the SQLSTATE and the constraint or model, never the refused value (PostgreSQL's own messages may quote it). */
  description: string;
}

const CONSTRAINT_CODES = new Set(['P2002', 'P2003', 'P2004', 'P2011', 'P2014']);
const ENCODING_STATES = new Set(['22021', '22P05']);

/**
 * Sorts a Prisma error into the permanent refusals (constraints, values PostgreSQL cannot take,
 * a missing row to update) or `null` for everything else: unreachable or restarting databases,
 * timeouts, exhausted pools, deadlocks and serialisation failures, which a retry may cure.
 */
export function permanentDatabaseError(err: unknown): PermanentDatabaseError | null {
  if (err instanceof Prisma.PrismaClientValidationError) return { type: DATABASE_FAILURES.invalidInput, description: 'Prisma refused to build the query (an invalid value)' };
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = postgresCause(err) as (AdapterCause & { constraint?: { index?: string } }) | undefined;
  const sqlState = sqlStateOf(cause);
  const meta = err.meta as { modelName?: string } | undefined;
  const where = [meta?.modelName, cause?.constraint?.index].filter(Boolean).join(' ');
  const description = `Prisma ${err.code}${sqlState ? `, SQLSTATE ${sqlState}` : ''}${where ? ` (${where})` : ''}`;
  if (err.code === 'P2025') return { type: DATABASE_FAILURES.notFound, description };
  if (CONSTRAINT_CODES.has(err.code) || sqlState?.startsWith('23')) return { type: DATABASE_FAILURES.constraint, description };
  if (sqlState && ENCODING_STATES.has(sqlState)) return { type: DATABASE_FAILURES.invalidEncoding, description };
  if (sqlState?.startsWith('22') || err.code === 'P2000' || err.code === 'P2006' || err.code === 'P2007') return { type: DATABASE_FAILURES.invalidInput, description };
  return null;
}

/**
 * An error from the database layer that is not a permanent refusal: unreachable, restarting, timed
 * out, pool exhausted, deadlocked. Answers Prisma's code (or the error's class) for logs, else null.
 */
export function transientDatabaseError(err: unknown): string | null {
  if (permanentDatabaseError(err)) return null;
  if (err instanceof Prisma.PrismaClientKnownRequestError) return err.code;
  if (err instanceof Prisma.PrismaClientInitializationError || err instanceof Prisma.PrismaClientUnknownRequestError || err instanceof Prisma.PrismaClientRustPanicError) return err.name;
  return null;
}
