/**
 * The worker process: runs every workflow (bundled from workflows/index.ts for Temporal's sandbox)
 * and every activity (createActivities) on the operations task queue. Scale by running more.
 * Once it polls, it brings every Schedule in line in the background (workers/schedule-reconciler.ts);
 * it serves Prometheus metrics on WORKER_METRICS_PORT, logs JSON through pino, and exports traces
 * when OTEL_TRACES_EXPORTER is set.
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { pino } from 'pino';
import { collectDefaultMetrics } from 'prom-client';
import { createActivities } from '../activities';
import { createMessagingDeps } from '../activities/messaging/messaging-deps';
import { businessMetrics, initialiseBusinessMetrics } from '../activities/observability/business-metrics';
import { parseConfig } from '../domain/config';
import { TASK_QUEUES } from '../domain/temporal';
import { createPrismaClient } from '../prisma/client';
import { createDataConverter } from '../temporal-config/data-converter';
import { startTracing, tracingWorkerOptions } from '../temporal-config/tracing';
import { payLinkSettings } from '../activities/payments/pay-links';
import { clinicLogAttributes } from './activity-log-attributes';
import { freeLoopbackPort, startMetricsServer } from './metrics-server';
import { reconcileSchedulesInBackground } from './schedule-reconciler';
import { temporalLoggerFor } from './temporal-logger';

import { LOG_ATTRIBUTES_MODULE, WORKFLOWS_PATH } from './workflow-bundle';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'clinicflow-worker', pid: process.pid } });
  const metricsPort = config.WORKER_METRICS_PORT;
  const sdkMetricsPort = metricsPort ? await freeLoopbackPort() : 0;
  Runtime.install({
    logger: temporalLoggerFor(logger),
    telemetryOptions: {
      // Core's own warnings reach the same JSON log.
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(metricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkMetricsPort}`, useSecondsForDurations: true, countersTotalSuffix: true } } } : {}),
    },
  });
  const tracing = startTracing(config, { serviceName: 'clinicflow-worker' });
  const prisma = createPrismaClient(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, acquireTimeoutMs: config.DATABASE_POOL_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS });
  // Fails fast on a broken GLOBAL_MESSAGING_CONFIG, naming the field.
  const messaging = createMessagingDeps(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = createDataConverter({ keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
  const traced = tracingWorkerOptions(tracing);
  // Activities that update other workflows use the worker's connection and the same payload encryption.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors: traced.interceptors.client });
  // A bundle built ahead (npm run build:workflows) spares the worker webpack's time and memory; it
  // holds no tracing interceptors, so a worker that exports traces bundles its own.
  const tracingModules = traced.interceptors.workflowModules ?? [];
  const prebuilt = config.WORKFLOW_BUNDLE_PATH && tracingModules.length === 0 ? config.WORKFLOW_BUNDLE_PATH : undefined;
  if (config.WORKFLOW_BUNDLE_PATH && !prebuilt) logger.warn('WORKFLOW_BUNDLE_PATH ignored: traces are exported, so the worker bundles its workflows with the tracing interceptors');
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUES.operations,
    ...(prebuilt ? { workflowBundle: { codePath: prebuilt } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ prisma, ...messaging, opsEmail: config.OPS_ALERT_EMAIL, temporal, payLinks: payLinkSettings(config) }),
    dataConverter,
    ...(config.WORKER_MAX_CONCURRENT_ACTIVITIES ? { maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES } : {}),
    ...(config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES ? { maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES } : {}),
    ...(config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS ? { maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS } : {}),
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    interceptors: {
      ...(prebuilt ? {} : { workflowModules: [LOG_ATTRIBUTES_MODULE, ...tracingModules] }),
      activity: [clinicLogAttributes, ...(traced.interceptors.activity ?? [])],
    },
    sinks: traced.sinks,
  });

  if (metricsPort) {
    collectDefaultMetrics({ register: businessMetrics });
    initialiseBusinessMetrics();
    const server = await startMetricsServer({ host: config.WORKER_METRICS_HOST, port: metricsPort, registry: businessMetrics, sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics` });
    if (server) logger.info({ host: config.WORKER_METRICS_HOST, port: metricsPort }, 'worker metrics at /metrics');
    else logger.warn({ port: metricsPort }, 'WORKER_METRICS_PORT is taken (another worker on this host?): this worker serves no metrics');
    server?.unref();
  }

  // Worker.run resolves after SIGINT/SIGTERM, once in-flight tasks have finished (the SDK installs the handlers).
  const running = worker.run();
  // After the worker polls, never before: thousands of clinics must not delay its first task.
  const stopReconciling = reconcileSchedulesInBackground({
    client: temporal,
    prisma,
    settings: { licensingHourUtc: config.LICENSING_SCHEDULE_HOUR_UTC },
    logger,
    intervalMs: config.SCHEDULE_RECONCILE_INTERVAL_MINUTES * 60_000,
  });
  await running;
  stopReconciling();
  await messaging.clients.closeAll();
  await tracing?.shutdown();
  await connection.close();
  await prisma.$disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
