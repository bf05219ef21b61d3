/**
 * Browser-facing protections of the API: helmet's security headers, no caching of answers that
 * may hold patient data, and which other sites' pages may call the API.
 */
import cors from 'cors';
import { type RequestHandler } from 'express';
import helmet from 'helmet';
import { type Config } from '../../domain/config';

/**
 * helmet's defaults, with a CSP that fits what the API serves: JSON, and the Swagger UI at /docs,
 * whose scripts, styles and images come from the API itself (its one inline <style> is why
 * style-src keeps 'unsafe-inline'). No upgrade-insecure-requests: a local http://localhost:3000/docs
 * would then ask for its scripts over https and show nothing.
 */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'upgrade-insecure-requests': null,
    },
  },
});

/**
 * Answers of the API are for the caller alone: signed-in staff see patients' data, the pay links
 * carry credentials. Neither the browser nor a proxy between may keep a copy.
 */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * Cross-origin calls: only from the origins in API_CORS_ORIGINS (none by default), with bearer
 * tokens (no cookies: credentials are not allowed), and only the headers the API reads.
 */
export function apiCors(config: Pick<Config, 'API_CORS_ORIGINS'>): RequestHandler {
  const allowed = new Set(config.API_CORS_ORIGINS);
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Clinic-Id', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    credentials: false,
    maxAge: 600,
  });
}
