import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RequestHandler } from 'express';
import { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Request id (taken from X-Request-Id when sane, otherwise new), echoed back in the response. */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  req.requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
};

/**
 * Codec session URLs (/codec/s/<token>/decode), payment links (/api/v1/pay/<token>), document links
 * (/api/v1/documents/<token>) and report download links (/api/v1/report-downloads/<token>) carry a
 * credential in the path: never log it.
 */
const loggablePath = (url: string) =>
  url
    .split('?')[0]!
    .replace(/^\/codec\/s\/[^/]+/i, '/codec/s/[redacted]')
    .replace(/^\/api\/v1\/pay\/[^/]+/i, '/api/v1/pay/[redacted]')
    .replace(/^\/api\/v1\/documents\/[^/]+/i, '/api/v1/documents/[redacted]')
    .replace(/^\/api\/v1\/report-downloads\/[^/]+/i, '/api/v1/report-downloads/[redacted]')
    .replace(/^\/api\/v1\/report-links\/[^/]+/i, '/api/v1/report-links/[redacted]');

/**
 * Access log without personal data: method, path without the query string (searches may hold
 * patient names), status and time, with the request id, the clinic and the trace id. No headers (tokens), no bodies (PHI, passwords).
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage & { requestId?: string }) => req.requestId ?? randomUUID(),
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: loggablePath(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Known once the tenant is resolved and the trace started: ids only, never who the patient is.
    customProps: (req: IncomingMessage & { tenant?: { clinicId?: string } }, res: ServerResponse & { locals?: { traceId?: string } }) => ({ clinicId: req.tenant?.clinicId, traceId: res.locals?.traceId }),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
  });
}
