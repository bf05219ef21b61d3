/** Assertions on the API's error envelope, shared by the HTTP tests. */
import assert from 'node:assert/strict';
import { type Response } from 'supertest';

export interface ErrorBody {
  success: false;
  error: { code: string; message: string; details?: unknown; timestamp: string; path: string };
}

/** The response is the documented error envelope with this status and code, and no stack trace. */
export function expectError(res: Response, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as ErrorBody;
  assert.deepEqual(Object.keys(body).sort(), ['error', 'success']);
  assert.equal(body.success, false);
  assert.equal(body.error.code, code);
  assert.ok(body.error.message.length > 0);
  assert.ok(Number.isFinite(Date.parse(body.error.timestamp)), 'timestamp is a date');
  assert.equal(body.error.path, new URL(res.request.url).pathname);
  assert.ok(!JSON.stringify(body).includes('    at '), 'no stack trace');
  return body.error;
}

/** Field paths named in a validation error's details, sorted. */
export const detailPaths = (err: ErrorBody['error']) => (err.details as { path: string }[]).map((d) => d.path).sort();
