/**
 * Idempotency-Key handling for writes that must not happen twice (bookings, payments, credit
 * top-ups), on Stripe's rule: a key stands for one request. The same key with the same request
 * within IDEMPOTENCY_WINDOW_MS answers with the first result; the same key with another request
 * (method, path or body differ), or after the window, is 422 IDEMPOTENCY_KEY_REUSED. Rows keep
 * their key for good (unique per clinic), so an expired key never writes a second time either.
 */
import { createHash } from 'node:crypto';
import { type Request } from 'express';
import { idempotencyKeyHeader } from '../schemas/common';
import { ApiError } from './api-error';

/** How long a key replays its first result. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** The request's Idempotency-Key header, or 400 with the header's path when it is missing or malformed. */
export function requireIdempotencyKey(req: Request): string {
  const key = optionalIdempotencyKey(req);
  if (key === undefined) throw invalidKey('required');
  return key;
}

/** The request's Idempotency-Key header when it has one; 400 when it is malformed. */
export function optionalIdempotencyKey(req: Request): string | undefined {
  const raw = req.get('idempotency-key');
  if (raw === undefined) return undefined;
  const key = idempotencyKeyHeader.safeParse(raw);
  if (!key.success) throw invalidKey(key.error.issues[0]?.message ?? 'invalid');
  return key.data;
}

const invalidKey = (message: string) => ApiError.badRequest('VALIDATION_ERROR', 'Invalid Idempotency-Key header', [{ path: 'headers.idempotency-key', message }]);

/** JSON with object keys sorted at every depth, so that key order does not change a fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What makes two requests "the same" for their Idempotency-Key: sha256 (hex) of the method, the
 * path as routed (ids in it included, the query string not) and the canonical JSON body. Not the
 * route's template: the same key and body on another patient's credits is another request.
 */
export function requestFingerprint(req: Request): string {
  const path = `${req.baseUrl}${req.path}`.replace(/(.)\/$/, '$1');
  return createHash('sha256').update(`${req.method.toUpperCase()}\n${path}\n${canonicalJson(req.body ?? null)}`).digest('hex');
}

/** 422 IDEMPOTENCY_KEY_REUSED: the key already stands for another request. */
export function idempotencyKeyReused(message = 'This Idempotency-Key was used for a different request; send a new key for a new request'): ApiError {
  return ApiError.unprocessable('IDEMPOTENCY_KEY_REUSED', message, [{ path: 'headers.idempotency-key', message: 'already used' }]);
}

/**
 * Decides what an earlier row written under the request's key means: the same request within the
 * window gets that row back (to replay); anything else is refused. A row without a fingerprint
 * (written before fingerprints existed) is taken as the same request, as it always was.
 */
export function replayable<T extends { idempotencyFingerprint: string | null; createdAt: Date }>(earlier: T, fingerprint: string, now: Date = new Date()): T {
  if (now.getTime() - earlier.createdAt.getTime() > IDEMPOTENCY_WINDOW_MS) {
    throw idempotencyKeyReused('This Idempotency-Key was used more than 24 hours ago; send a new key');
  }
  if (earlier.idempotencyFingerprint !== null && earlier.idempotencyFingerprint !== fingerprint) throw idempotencyKeyReused();
  return earlier;
}
