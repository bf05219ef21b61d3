import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CredentialCipher, CredentialCipherError, secretBinding, secretHint } from './credential-cipher';

const key = () => randomBytes(32).toString('base64');
const here = secretBinding('clinic-a', 'email', 'smtp', 'password');

test('a sealed secret opens where it belongs, and its ciphertext hides it', () => {
  const cipher = new CredentialCipher(new Map([['k1', key()]]), 'k1');
  const sealed = cipher.seal('app-password-123', here);
  assert.match(sealed, /^v1\.k1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.ok(!sealed.includes('app-password-123'));
  assert.notEqual(cipher.seal('app-password-123', here), sealed, 'a fresh IV every time');
  assert.equal(cipher.open(sealed, here), 'app-password-123');
});

test('a secret copied to another clinic, channel or field does not open', () => {
  const cipher = new CredentialCipher(new Map([['k1', key()]]), 'k1');
  const sealed = cipher.seal('app-password-123', here);
  for (const elsewhere of [secretBinding('clinic-b', 'email', 'smtp', 'password'), secretBinding('clinic-a', 'sms', 'smtp', 'password'), secretBinding('clinic-a', 'email', 'smtp', 'username')]) {
    assert.throws(() => cipher.open(sealed, elsewhere), CredentialCipherError);
  }
});

test('tampering is detected', () => {
  const cipher = new CredentialCipher(new Map([['k1', key()]]), 'k1');
  const parts = cipher.seal('app-password-123', here).split('.');
  const data = Buffer.from(parts[3]!, 'base64url');
  data[0] = (data[0] ?? 0) ^ 1;
  parts[3] = data.toString('base64url');
  assert.throws(() => cipher.open(parts.join('.'), here), /could not be opened/);
  assert.throws(() => cipher.open('plain-text-password', here), /Not a sealed credential/);
});

test('after a rotation old secrets still open, new ones use the new key, stale ones are recognised', () => {
  const oldKey = key();
  const before = new CredentialCipher(new Map([['2025', oldKey]]), '2025');
  const sealedOld = before.seal('token-abc', here);
  const after = new CredentialCipher(new Map([['2025', oldKey], ['2026', key()]]), '2026');
  assert.equal(after.open(sealedOld, here), 'token-abc');
  assert.ok(after.isStale(sealedOld));
  const resealed = after.seal(after.open(sealedOld, here), here);
  assert.ok(!after.isStale(resealed));
  assert.match(resealed, /^v1\.2026\./);
  assert.throws(() => before.open(resealed, here), /2026 is not in the key ring/);
});

test('bad keys are refused at start-up; hints show only the tail of long secrets', () => {
  assert.throws(() => new CredentialCipher(new Map([['k1', Buffer.alloc(16).toString('base64')]]), 'k1'), /32 bytes/);
  assert.throws(() => new CredentialCipher(new Map([['k1', key()]]), 'k2'), /not in the key ring/);
  assert.equal(secretHint('sk_live_0123456789abcd'), 'abcd');
  assert.equal(secretHint('short'), '', 'short secrets reveal nothing');
});
