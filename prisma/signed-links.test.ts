import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openLink, signLink } from './signed-links';

const SECRET = 'a-test-secret-of-enough-length-0123456789';
const in1h = new Date(Date.now() + 3_600_000);

test('a token opens for its secret and purpose only, with what it names and its expiry to the second', () => {
  const token = signLink(SECRET, 'document', ['invoice', '0190f0aa-0000-7000-8000-000000000001'], in1h);
  assert.deepEqual(openLink(SECRET, 'document', token), { fields: ['invoice', '0190f0aa-0000-7000-8000-000000000001'], expiresAt: new Date(Math.floor(in1h.getTime() / 1000) * 1000) });
  assert.equal(openLink(SECRET, 'monthly report', token), null, 'another purpose');
  assert.equal(openLink('another-secret-entirely-0123456789', 'document', token), null, 'another secret');
});

test('a changed payload, signature or shape is refused; a field may not carry the separator', () => {
  const token = signLink(SECRET, 'document', ['receipt', 'r-1'], in1h);
  const [payload, sig] = token.split('.') as [string, string];
  const longer = Buffer.from(Buffer.from(payload, 'base64url').toString().replace(/\d+$/, String(Math.floor(in1h.getTime() / 1000) + 86_400))).toString('base64url');
  assert.equal(openLink(SECRET, 'document', `${longer}.${sig}`), null, 'extended expiry');
  assert.equal(openLink(SECRET, 'document', `${payload}.${sig.slice(0, -2)}AA`), null, 'altered signature');
  for (const bad of ['', 'nodot', `${token}.extra`, `.${sig}`]) assert.equal(openLink(SECRET, 'document', bad), null, bad);
  assert.throws(() => signLink(SECRET, 'document', ['a|b'], in1h), /cannot contain/);
});
