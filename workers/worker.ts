/**
 * The worker process: runs every workflow (bundled from workflows/index.ts for Temporal's sandbox)
 * and every activity (createActivities) on the operations task queue. Scale by running more.
 */
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createMessagingDeps } from '../activities/messaging/messaging-deps';
import { parseConfig } from '../domain/config';
import { TASK_QUEUES } from '../domain/temporal';
import { createPrismaClient } from '../prisma/client';
import { createDataConverter } from '../temporal-config/data-converter';
import { payLinkSettings } from '../activities/payments/pay-links';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../workflows/index.ts');

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  Runtime.install({ telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } } });
  const prisma = createPrismaClient(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE, acquireTimeoutMs: config.DATABASE_POOL_TIMEOUT_MS, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS });
  // Fails fast on a broken GLOBAL_MESSAGING_CONFIG, naming the field.
  const messaging = createMessagingDeps(config);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const dataConverter = createDataConverter({ keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
  // Activities that update other workflows use the worker's connection and the same payload encryption.
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: TASK_QUEUES.operations,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ prisma, ...messaging, opsEmail: config.OPS_ALERT_EMAIL, temporal, payLinks: payLinkSettings(config) }),
    dataConverter,
  });
  // Worker.run resolves after SIGINT/SIGTERM, once in-flight tasks have finished (the SDK installs the handlers).
  await worker.run();
  await messaging.clients.closeAll();
  await connection.close();
  await prisma.$disconnect();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
