import { type Request } from 'express';
import { idempotencyKeyHeader } from '../schemas/common';
import { ApiError } from './api-error';

/** The request's Idempotency-Key header, or 400 with the header's path when it is missing or malformed. */
export function requireIdempotencyKey(req: Request): string {
  const key = idempotencyKeyHeader.safeParse(req.get('idempotency-key'));
  if (!key.success) throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid Idempotency-Key header', [{ path: 'headers.idempotency-key', message: key.error.issues[0]?.message ?? 'required' }]);
  return key.data;
}
