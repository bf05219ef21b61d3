/**
 * The failure types an activity reports when PostgreSQL refuses its query for good (the same query
 * would fail again on every retry). Shared by activities (which raise them), workflows (which pass
 * them on as an update's answer) and the API (which maps them to 4xx). A database that is down or
 * slow is not among them: those errors stay retryable.
 */
export const DATABASE_FAILURES = {
  /** A unique, foreign-key, not-null, check or exclusion constraint refused the row (SQLSTATE class 23). */
  constraint: 'DB_CONSTRAINT_VIOLATION',
  /** Text PostgreSQL cannot store: a NUL byte, or a character the encoding lacks (22021, 22P05). */
  invalidEncoding: 'DB_INVALID_ENCODING',
  /** Any other refused value (class 22: 22P02 invalid text representation, out-of-range numbers and dates), or a query Prisma would not build. */
  invalidInput: 'DB_INVALID_INPUT',
  /** The row an update or delete named does not exist (Prisma P2025). */
  notFound: 'DB_NOT_FOUND',
} as const;

export type DatabaseFailureType = (typeof DATABASE_FAILURES)[keyof typeof DATABASE_FAILURES];

export const DATABASE_FAILURE_TYPES: readonly string[] = Object.values(DATABASE_FAILURES);

/** The warning logged (by activities and workflows) while the database does not answer; ops alert on it. */
export const DATABASE_UNAVAILABLE = 'database unavailable';
