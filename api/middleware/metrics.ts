import { type RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Methods Node's parser accepts are many; any other than these is counted as OTHER. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * HTTP latency by method, route template (never the raw URL: ids would explode cardinality; a
 * request no route takes is "unmatched") and status.
 */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (req, res, next) => {
    const end = duration.startTimer();
    // Remember the template when a route matches: when a handler throws, its router resets
    // req.baseUrl before the app's error handler answers, which would leave only "/:id".
    let matched: { path?: unknown } | undefined;
    let template: string | undefined;
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => matched,
      set: (route: { path?: unknown } | undefined) => {
        matched = route;
        template = route ? `${req.baseUrl}${String(route.path)}` : undefined;
      },
    });
    res.on('finish', () => {
      end({ method: METHODS.has(req.method) ? req.method : 'OTHER', route: req.routeTemplate ?? template ?? 'unmatched', status_code: String(res.statusCode) });
    });
    next();
  };
}
