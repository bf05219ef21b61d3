import { createHash } from 'node:crypto';
import { type Request } from 'express';
import { idempotencyKeyHeader } from '../schemas/common';
import { ApiError } from './api-error';

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

/** JSON with object keys sorted, so two bodies that mean the same fingerprint the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What one request asks for: method, route and body. An Idempotency-Key is bound to it. */
export function requestFingerprint(req: Request): string {
  return createHash('sha256').update(`${req.method} ${req.baseUrl}${req.route?.path ?? req.path}\n${canonical(req.body)}`).digest('hex');
}

/** Stripe's rule: a key names one request; the same key with another body is a client's mistake, not a retry. */
export function idempotencyKeyReused(): ApiError {
  return ApiError.unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request; use a new key for a new request');
}
