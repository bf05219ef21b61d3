/** The API process: reads the configuration, connects PostgreSQL and Temporal, serves until SIGINT/SIGTERM. */
import { type Server } from 'node:http';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parseConfig } from '../domain/config';
import { createPrismaClient } from '../prisma/client';
import { connectTemporalClient } from '../temporal-config/client';
import { startTracing, tracingClientInterceptors } from '../temporal-config/tracing';
import { createApp } from './app';
import { stopAppointmentWorkflowStarts } from './services/appointment-workflow-starts';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = pino({
    level: config.LOG_LEVEL,
    base: { service: 'clinicflow-api', pid: process.pid },
    // Belt and braces: these never reach a log line, even if someone logs a request by mistake.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.passwordHash', '*.refreshToken', '*.accessToken'], censor: '[redacted]' },
  });
  const tracing = startTracing(config, { serviceName: 'clinicflow-api' });
  const prisma = createPrismaClient(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, acquireTimeoutMs: config.DATABASE_POOL_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS });
  const temporal = await connectTemporalClient({
    interceptors: tracingClientInterceptors(tracing),
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    keys: config.PAYLOAD_ENCRYPTION_KEYS,
    currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID,
  });
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const deps = { config, prisma, temporal, logger, metrics };
  const app = createApp(deps);
  const server: Server = app.listen(config.API_PORT, config.API_HOST, () => {
    logger.info({ host: config.API_HOST, port: config.API_PORT }, 'ClinicFlow API listening');
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      // Bookings answered just before: their workflows' starts finish first (the reconciler has the rest).
      void stopAppointmentWorkflowStarts(deps, 5_000)
        .then(() => Promise.allSettled([prisma.$disconnect(), temporal.connection.close(), tracing?.shutdown()]))
        .then(() => process.exit(0));
    });
    // Idle keep-alive connections would hold close() open.
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
