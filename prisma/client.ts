import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export { PrismaClient };
export * as Db from './generated/client';

export interface PoolOptions {
  /** Connections in the pool. */
  max?: number;
  /** How long a query waits for a free connection before it fails (the API answers 503). */
  acquireTimeoutMs?: number;
  /** PostgreSQL cancels a statement that runs longer (statement_timeout); 0: never. */
  statementTimeoutMs?: number;
}

/** One client per process; the pg pool behind the adapter is shared by every request and activity. */
export function createPrismaClient(databaseUrl: string, options: PoolOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    // Without these a pool that is too small queues without end and a stuck query holds its
    // connection for good: under load both turn into timeouts far from their cause.
    ...(options.acquireTimeoutMs ? { connectionTimeoutMillis: options.acquireTimeoutMs } : {}),
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  return new PrismaClient({ adapter });
}
