/**
 * `npm run schedules`: creates or corrects every Temporal Schedule once (the platform's and each
 * clinic's) and exits; docker-compose runs it as the one-shot `schedules` service. Workers do the
 * same in the background at start-up, so this is for deployments that want the Schedules in place
 * before anything else runs. Safe beside any number of workers doing it at the same moment.
 */
import { pino } from 'pino';
import { parseConfig } from '../domain/config';
import { createPrismaClient } from '../prisma/client';
import { connectTemporalClient } from '../temporal-config/client';
import { reconcileSchedules } from '../workers/schedule-reconciler';
import { causeLines, errorMessage } from './stack/launcher-support';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'clinicflow-schedules' } });
  const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
  const temporal = await connectTemporalClient({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, keys: config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID });
  try {
    const result = await reconcileSchedules({ client: temporal.client, prisma, settings: { licensingHourUtc: config.LICENSING_SCHEDULE_HOUR_UTC } });
    logger.info(result, 'Schedules in place');
  } finally {
    await temporal.connection.close();
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error([errorMessage(err), ...causeLines(err)].join('\n'));
  process.exit(1);
});
