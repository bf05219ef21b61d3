import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureEnvFile } from './launcher-config';

test('an env file from an older version gets the secrets it lacks, and nothing else changes', async () => {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'envfile-')), '.env');
  const old = 'JWT_SECRET=kept-as-it-was-0123456789abcdef0123\nPAYLOAD_ENCRYPTION_KEYS=local-1:AAAA\nPAYLOAD_ENCRYPTION_KEY_ID=local-1\nSUPERADMIN_EMAIL=me@example.test';
  await writeFile(file, old);
  await ensureEnvFile(file);
  const text = await readFile(file, 'utf8');
  assert.ok(text.startsWith(`${old}\n`), 'existing lines untouched');
  assert.match(text, /^CREDENTIAL_ENCRYPTION_KEYS=local-1:[A-Za-z0-9+/]{43}=$/m);
  assert.match(text, /^CREDENTIAL_ENCRYPTION_KEY_ID=local-1$/m);
  assert.equal(text.match(/^JWT_SECRET=/gm)?.length, 1, 'present secrets are not added again');
  await ensureEnvFile(file);
  assert.equal(await readFile(file, 'utf8'), text, 'a second start changes nothing');
});
