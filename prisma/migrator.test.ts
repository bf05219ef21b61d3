import assert from 'node:assert/strict';
import { cp, mkdtemp, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { createEmptyDatabase } from '../test/support/database';
import { MIGRATIONS_DIR, MigrationError, applyMigrations, readMigrations } from './migrator';

const cleanups: Array<() => Promise<void>> = [];
after(async () => Promise.all(cleanups.map((c) => c())));

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('applies every migration once and records it like prisma migrate deploy', async () => {
  const db = await createEmptyDatabase();
  cleanups.push(db.drop);
  const all = (await readMigrations()).map((m) => m.name);

  assert.deepEqual(await applyMigrations(db.url), all);
  assert.deepEqual(await applyMigrations(db.url), [], 'a second run applies nothing');

  const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    db.url,
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );
  const files = await readMigrations();
  assert.deepEqual(
    rows.map((r) => [r.migration_name, r.checksum, r.finished_at !== null, r.applied_steps_count]),
    files.map((f) => [f.name, f.checksum, true, 1]),
  );
  const tiers = await query<{ code: string }>(db.url, 'SELECT code FROM "LicenseTier" ORDER BY rank');
  assert.deepEqual(tiers.map((t) => t.code), ['S', 'M', 'L', 'XL']);
});

test('refuses to run when an applied migration was edited afterwards', async () => {
  const db = await createEmptyDatabase();
  cleanups.push(db.drop);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  await applyMigrations(db.url, dir);

  const [first] = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory());
  assert.ok(first);
  await writeFile(path.join(dir, first.name, 'migration.sql'), '-- edited\nSELECT 1;');
  await assert.rejects(applyMigrations(db.url, dir), MigrationError);
});

test('a failing migration leaves nothing behind and is not recorded', async () => {
  const db = await createEmptyDatabase();
  cleanups.push(db.drop);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  await cp(path.join(dir, (await readMigrations(dir))[0]!.name), path.join(dir, '99990101000000_broken'), { recursive: true });
  await writeFile(path.join(dir, '99990101000000_broken', 'migration.sql'), 'CREATE TABLE "Half" (id int); SELECT * FROM "NoSuchTable";');

  await assert.rejects(applyMigrations(db.url, dir), /99990101000000_broken failed and was rolled back/);
  const half = await query(db.url, `SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`);
  assert.equal(half.length, 0);
  const recorded = await query(db.url, `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
  assert.equal(recorded.length, 0);
});
