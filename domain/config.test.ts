/**
 * parseConfig: the one place the environment is read. A wrong setting must stop the process
 * with a message that names the variable, and never print a secret into logs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from './config';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
const JWT_SECRET = 'jwt-secret-that-is-long-enough-0123456789';
const DB_PASSWORD = 'pg-password-s3cr3t';

function validEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: `postgresql://clinicflow:${DB_PASSWORD}@127.0.0.1:5432/clinicflow`,
    JWT_SECRET,
    PAYLOAD_ENCRYPTION_KEYS: `2024-01:${KEY_A},2025-06:${KEY_B}`,
    PAYLOAD_ENCRYPTION_KEY_ID: '2025-06',
    CREDENTIAL_ENCRYPTION_KEYS: `c1:${KEY_A}`,
    CREDENTIAL_ENCRYPTION_KEY_ID: 'c1',
    ...overrides,
  };
}

/** Parses, expects a failure, and returns the message after checking it names `variable` and leaks none of `secrets`. */
function rejection(env: Record<string, string | undefined>, variable: string, secrets: string[]): string {
  let message: string | undefined;
  try {
    parseConfig(env);
  } catch (err) {
    assert.ok(err instanceof Error);
    message = err.message;
  }
  assert.ok(message !== undefined, `expected the configuration to be rejected (${variable})`);
  assert.match(message, /^Invalid configuration/);
  assert.ok(message.includes(variable), `message should name ${variable}: ${message}`);
  for (const secret of secrets.filter(Boolean)) assert.equal(message.includes(secret), false, `message leaks a secret value: ${message}`);
  return message;
}

const ALL_SECRETS = [JWT_SECRET, KEY_A, KEY_B, DB_PASSWORD];

describe('parseConfig', () => {
  test('accepts a valid environment and applies the defaults', () => {
    const config = parseConfig(validEnv());
    assert.equal(config.JWT_SECRET, JWT_SECRET);
    assert.deepEqual([...config.PAYLOAD_ENCRYPTION_KEYS], [
      ['2024-01', KEY_A],
      ['2025-06', KEY_B],
    ]);
    assert.equal(config.PAYLOAD_ENCRYPTION_KEY_ID, '2025-06');
    assert.equal(config.NODE_ENV, 'development');
    assert.equal(config.API_PORT, 3000);
    assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.equal(config.TEMPORAL_NAMESPACE, 'default');
    assert.deepEqual(config.CODEC_CORS_ORIGINS, ['http://localhost:8233', 'http://127.0.0.1:8233']);
    assert.equal(config.CODEC_SESSION_TTL_SECONDS, 8 * 60 * 60);
    assert.equal(config.ACCESS_TOKEN_TTL_SECONDS, 900);
    assert.equal(config.BCRYPT_COST, 12);
    assert.equal(config.SEED_DEMO, true);
    assert.equal(config.PUBLIC_API_URL, undefined);
  });

  test('coerces numbers, booleans and lists from their string form', () => {
    const config = parseConfig(
      validEnv({
        API_PORT: '8080',
        BCRYPT_COST: '4',
        SEED_DEMO: '0',
        CODEC_CORS_ORIGINS: ' https://temporal.example.com , http://localhost:8233 ,',
        PAYLOAD_ENCRYPTION_KEYS: ` 2024-01:${KEY_A} , 2025-06:${KEY_B} `,
      }),
    );
    assert.equal(config.API_PORT, 8080);
    assert.equal(config.BCRYPT_COST, 4);
    assert.equal(config.SEED_DEMO, false);
    assert.deepEqual(config.CODEC_CORS_ORIGINS, ['https://temporal.example.com', 'http://localhost:8233']);
    assert.deepEqual([...config.PAYLOAD_ENCRYPTION_KEYS.keys()], ['2024-01', '2025-06']);
  });

  test('only the first colon separates the key id: the key value, padding included, is kept whole', () => {
    assert.ok(KEY_A.endsWith('='));
    const config = parseConfig(validEnv({ PAYLOAD_ENCRYPTION_KEYS: `k1:${KEY_A},k2:x:y`, PAYLOAD_ENCRYPTION_KEY_ID: 'k1' }));
    assert.equal(config.PAYLOAD_ENCRYPTION_KEYS.get('k1'), KEY_A);
    assert.equal(config.PAYLOAD_ENCRYPTION_KEYS.get('k2'), 'x:y');
  });

  test('rejects a JWT_SECRET shorter than 32 characters without printing it', () => {
    const short = 'short-jwt-secret-123';
    const message = rejection(validEnv({ JWT_SECRET: short }), 'JWT_SECRET', [short, KEY_A, KEY_B, DB_PASSWORD]);
    assert.match(message, /32/);
  });

  test('rejects a missing JWT_SECRET', () => {
    rejection(validEnv({ JWT_SECRET: undefined }), 'JWT_SECRET', ALL_SECRETS);
  });

  test('rejects a current key id that is not in the key ring, without printing the ring', () => {
    const message = rejection(validEnv({ PAYLOAD_ENCRYPTION_KEY_ID: '2026-01' }), 'PAYLOAD_ENCRYPTION_KEY_ID', ALL_SECRETS);
    assert.match(message, /PAYLOAD_ENCRYPTION_KEYS/);
  });

  test('rejects a malformed key ring, naming the variable but not its value', () => {
    for (const ring of [`no-separator-${KEY_A}`, `:${KEY_A}`, 'k1:', `2025-06:${KEY_B},broken`]) {
      rejection(validEnv({ PAYLOAD_ENCRYPTION_KEYS: ring }), 'PAYLOAD_ENCRYPTION_KEYS', [...ALL_SECRETS, ring]);
    }
  });

  test('rejects an empty key ring', () => {
    rejection(validEnv({ PAYLOAD_ENCRYPTION_KEYS: '' }), 'PAYLOAD_ENCRYPTION_KEY', ALL_SECRETS);
  });

  test('rejects an invalid DATABASE_URL without printing it (it holds the password)', () => {
    const url = `postgres://clinicflow:${DB_PASSWORD}@[not-a-host`;
    rejection(validEnv({ DATABASE_URL: url }), 'DATABASE_URL', [...ALL_SECRETS, url]);
  });

  test('lists every problem at once', () => {
    const message = rejection(validEnv({ JWT_SECRET: 'tiny', API_PORT: '99999', NODE_ENV: 'staging' }), 'JWT_SECRET', ['tiny', ...ALL_SECRETS]);
    assert.match(message, /API_PORT/);
    assert.match(message, /NODE_ENV/);
  });
});
