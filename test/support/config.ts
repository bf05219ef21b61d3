import { randomBytes } from 'node:crypto';
import { type Config, parseConfig } from '../../domain/config';

/** A valid configuration with throwaway secrets, for tests. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
    JWT_SECRET: randomBytes(32).toString('hex'),
    PAYLOAD_ENCRYPTION_KEYS: `test-1:${randomBytes(32).toString('base64')}`,
    PAYLOAD_ENCRYPTION_KEY_ID: 'test-1',
    CREDENTIAL_ENCRYPTION_KEYS: `cred-1:${randomBytes(32).toString('base64')}`,
    CREDENTIAL_ENCRYPTION_KEY_ID: 'cred-1',
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    ...overrides,
  });
}
