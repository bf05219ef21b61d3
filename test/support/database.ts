/** A fresh, migrated database per test file, on the PostgreSQL server the test runner started. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';
import { applyMigrations } from '../../prisma/migrator';

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run tests through scripts/test.sh');
  return url;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const empty = await createEmptyDatabase();
  await applyMigrations(empty.url);
  const prisma = createPrismaClient(empty.url, { max: 5 });
  return {
    url: empty.url,
    prisma,
    async drop() {
      await prisma.$disconnect();
      await empty.drop();
    },
  };
}
