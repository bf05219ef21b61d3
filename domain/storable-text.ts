/**
 * Text PostgreSQL can store: its text type holds no NUL byte (SQLSTATE 22021) and its JSON types
 * refuse lone UTF-16 surrogates. Workflows check update arguments with it where a refusal from the
 * database would come too late (after a side effect); elsewhere the database's refusal is the check.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export function isStorableText(value: string | undefined): boolean {
  return value === undefined || (!value.includes('\u0000') && !LONE_SURROGATE.test(value));
}
