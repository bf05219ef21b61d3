/**
 * OpenTelemetry traces across the API, Temporal and the worker: the API's request span is the
 * parent of the workflow start (the Temporal client interceptor carries the context in the start's
 * headers), the workflow's spans (exported from the sandbox through a sink) and its activities'.
 * Off unless OTEL_TRACES_EXPORTER says where spans go: console (stdout) or otlp (OTLP over HTTP).
 * Spans carry ids and names only: no payloads, no patient data.
 */
import { createRequire } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { type ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { type WorkerOptions } from '@temporalio/worker';
import { type Config } from '../domain/config';

export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: 'clinicflow-api' | 'clinicflow-worker';
  /** A test's in-memory exporter, in place of the configured one. */
  exporter?: SpanExporter;
}

function configuredExporter(config: Pick<Config, 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT'>): SpanExporter | null {
  switch (config.OTEL_TRACES_EXPORTER) {
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return new OTLPTraceExporter({ url: new URL('/v1/traces', config.OTEL_EXPORTER_OTLP_ENDPOINT).toString() });
    default:
      return null;
  }
}

/**
 * Registers the process's tracer provider (AsyncLocalStorage context, W3C trace context), or does
 * nothing and returns null when no exporter is configured.
 */
export function startTracing(config: Pick<Config, 'OTEL_TRACES_EXPORTER' | 'OTEL_EXPORTER_OTLP_ENDPOINT'>, options: TracingOptions): Tracing | null {
  const exporter = options.exporter ?? configuredExporter(config);
  if (!exporter) return null;
  const resource = new Resource({ 'service.name': options.serviceName });
  // A test's exporter sees each span as it ends; a real one gets them in batches.
  const processor = options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return { processor, resource, shutdown: () => provider.shutdown() };
}

/** Client interceptors that put the active trace context into every workflow start, update, signal and query. */
export function tracingClientInterceptors(tracing: Tracing | null): ClientInterceptors | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

const require = createRequire(import.meta.url);
/** The SDK's workflow interceptors (bundled into the workflow sandbox). */
export const TRACING_WORKFLOW_MODULE = require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/** What the worker adds for tracing: workflow and activity interceptors, and the sink workflow spans leave the sandbox by. */
export function tracingWorkerOptions(tracing: Tracing | null): { interceptors: NonNullable<WorkerOptions['interceptors']>; sinks: NonNullable<WorkerOptions['sinks']> } {
  if (!tracing) return { interceptors: {}, sinks: {} };
  return {
    interceptors: {
      workflowModules: [TRACING_WORKFLOW_MODULE],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      client: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    },
    sinks: { exporter: makeWorkflowExporter(tracing.processor, tracing.resource) },
  };
}
