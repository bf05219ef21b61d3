/**
 * One server span per API request, made the active context for everything the request does, so
 * the Temporal client interceptor puts it into the workflow starts and updates it sends: a
 * booking's trace runs API → workflow → activities. An incoming W3C traceparent is continued.
 * Without a registered tracer provider (OTEL_TRACES_EXPORTER=none) the spans are no-ops.
 * The span is named by the route template, never the URL (ids; searches can hold names).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type RequestHandler } from 'express';

export const traceRequests: RequestHandler = (req, res, next) => {
  const tracer = trace.getTracer('clinicflow-api');
  const parent = propagation.extract(context.active(), req.headers);
  const span = tracer.startSpan(`${req.method} request`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
  if (span.isRecording()) res.locals.traceId = span.spanContext().traceId;
  res.on('finish', () => {
    // The route's template is known once a router matched it.
    const route = req.route ? `${req.baseUrl}${String((req.route as { path?: unknown }).path)}` : undefined;
    if (route) {
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
};
