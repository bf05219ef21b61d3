import { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { type Logger } from 'pino';
import { Prisma } from '../../prisma/generated/client';
import { isDatabaseBusy } from '../../prisma/errors';
import { TenantScopeViolation } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';

export function sendError(req: Request, res: Response, err: ApiError): void {
  if (err.retryAfterSeconds !== undefined) res.set('Retry-After', String(err.retryAfterSeconds));
  res.status(err.status).json({
    success: false,
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      timestamp: new Date().toISOString(),
      path: req.originalUrl.split('?')[0],
    },
  });
}

/** Translates what libraries throw into the API's error envelope; anything unexpected becomes a 500 without internals. */
function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof Prisma.PrismaClientKnownRequestError) {
    if (err.code === 'P2002') return ApiError.conflict('CONFLICT', 'A record with the same unique value already exists');
    if (err.code === 'P2025') return ApiError.notFound();
  }
  if (err instanceof TenantScopeViolation) return ApiError.notFound();
  // Overload, not a fault: the caller may try again shortly.
  if (isDatabaseBusy(err)) return ApiError.unavailable('DATABASE_BUSY', 'The service is busy right now; try again shortly', 1);
  // body-parser's errors carry a status and a type.
  if (typeof err === 'object' && err !== null && 'type' in err && 'status' in err) {
    const { type, status } = err as { type: string; status: number };
    if (type === 'entity.parse.failed') return ApiError.badRequest('INVALID_JSON', 'The request body is not valid JSON');
    if (type === 'entity.too.large') return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
    if (status >= 400 && status < 500) return new ApiError(status, 'BAD_REQUEST', 'The request could not be read');
  }
  return null;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const apiError = toApiError(err);
    if (apiError) return sendError(req, res, apiError);
    // Log the error class and message only: messages from Prisma or Temporal never carry request bodies.
    logger.error({ requestId: req.requestId, err: { type: (err as Error)?.name, message: (err as Error)?.message } }, 'unhandled error');
    sendError(req, res, new ApiError(500, 'INTERNAL_ERROR', 'Something went wrong; the request id helps support find out what'));
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(req, res, new ApiError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`));
};
