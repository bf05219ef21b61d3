/**
 * `npm run migrate`: applies prisma/migrations to DATABASE_URL and says what it applied.
 * The one-shot `migrate` service of docker-compose.yml runs it before the API and the worker.
 * Deliberately needs nothing but DATABASE_URL (not the whole configuration).
 */
import { applyMigrations } from '../prisma/migrator';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const applied = await applyMigrations(databaseUrl);
  if (applied.length === 0) console.log('[migrate] the database is up to date');
  for (const name of applied) console.log(`[migrate] applied ${name}`);
}

main().catch((err: unknown) => {
  // Only the message: a connection error's stack adds nothing, and the URL is never printed.
  console.error(`[migrate] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
