import { type Client, type Connection } from '@temporalio/client';
import { type Logger } from 'pino';
import { type Registry } from 'prom-client';
import { type Config } from '../domain/config';
import { type PrismaClient } from '../prisma/client';

/** Everything the API needs from outside, built once by api/server.ts (or by a test). */
export interface ApiDeps {
  config: Config;
  prisma: PrismaClient;
  temporal: { client: Client; connection: Connection };
  logger: Logger;
  metrics: Registry;
}
