import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpFailure, networkFailure } from './http-failure';

const vendor = { prefix: 'acme', label: 'Acme SMS' };

test('401, 429 and 5xx mean the same whatever the vendor code says; otherwise the vendor code decides', () => {
  const read = (status: number, verdict = {}) => {
    const err = httpFailure(vendor, status, null, verdict);
    return [err.kind, err.code];
  };
  assert.deepEqual(read(401, { code: 7, kind: 'REJECTED' }), ['AUTH', 'acme:7']);
  assert.deepEqual(read(429, { code: 7, kind: 'REJECTED' }), ['RATE_LIMITED', 'acme:7']);
  assert.deepEqual(read(503, { code: 7, kind: 'INVALID_RECIPIENT' }), ['TRANSIENT', 'acme:7']);
  assert.deepEqual(read(400, { code: 7, kind: 'INVALID_RECIPIENT' }), ['INVALID_RECIPIENT', 'acme:7']);
  assert.deepEqual(read(403), ['AUTH', 'http:403']);
  assert.deepEqual(read(404), ['REJECTED', 'http:404']);
});

test('Retry-After is kept for what is retried, dropped for permanent outcomes', () => {
  assert.equal(httpFailure(vendor, 429, '2').options.retryAfterMs, 2000);
  assert.equal(httpFailure(vendor, 503, '5').options.retryAfterMs, 5000);
  assert.equal(httpFailure(vendor, 400, '5').options.retryAfterMs, undefined);
});

test('the message names vendor, status, code and safe detail only', () => {
  assert.equal(httpFailure(vendor, 400, null, { code: 21, detail: 'parameter to' }).message, 'Acme SMS: HTTP 400 (acme:21, parameter to), REJECTED');
});

test('network failures: socket codes from the error or its cause, every timeout as network:ETIMEDOUT', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
  assert.equal(networkFailure(vendor, refused).code, 'network:ECONNREFUSED');
  assert.equal(networkFailure(vendor, Object.assign(new Error('reset'), { code: 'ECONNRESET' })).code, 'network:ECONNRESET');
  for (const timeout of [new DOMException('t', 'TimeoutError'), Object.assign(new Error('a'), { name: 'AbortError' }), Object.assign(new Error('x'), { code: 'ECONNABORTED' })]) {
    assert.deepEqual([networkFailure(vendor, timeout).kind, networkFailure(vendor, timeout).code], ['TRANSIENT', 'network:ETIMEDOUT']);
  }
  assert.deepEqual([networkFailure(vendor, new RangeError('odd')).kind, networkFailure(vendor, new RangeError('odd')).code], ['TRANSIENT', 'acme:unknown']);
});
