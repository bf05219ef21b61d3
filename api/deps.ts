import { type Client, type Connection } from '@temporalio/client';
import { type Logger } from 'pino';
import { type Registry } from 'prom-client';
import { type Config } from '../domain/config';
import { type PrismaClient } from '../prisma/client';
import { type FileStorage } from './storage/file-storage';

/** Everything the API needs from outside, built once by api/server.ts (or by a test). */
export interface ApiDeps {
  config: Config;
  prisma: PrismaClient;
  temporal: { client: Client; connection: Connection };
  logger: Logger;
  metrics: Registry;
  /**
   * Fetches the PEM certificate SNS signs with (SES bounce webhooks). Absent: fetched over HTTPS
   * from the SNS host, cached (api/webhooks/sns-fetch.ts). Tests pass their own: no internet there.
   */
  fetchSnsCertificate?: (url: string) => Promise<string>;
  /** Confirms an SNS subscription by visiting its SubscribeURL. Absent: the same, over HTTPS. */
  confirmSnsSubscription?: (subscribeUrl: string) => Promise<void>;
  /** Where uploaded files (expense receipts) go. Absent: built from the config (local disk or S3). */
  files?: FileStorage;
  /** The current time for scheduling decisions (past slots, bookings in the past). Absent: the system clock. */
  now?: () => Date;
}
