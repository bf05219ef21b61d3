/** The launcher's own settings and the env file: created on the first start, loaded, checked before anything starts. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Config, parseConfig } from '../../domain/config';
import { displayPath, errorMessage, LaunchError, log, ROOT } from './launcher-support';

export const DATABASE_NAME = 'clinicflow';
/** The embedded server's fixed local credentials: it listens on loopback only. */
export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';

/** Where the launcher's embedded PostgreSQL is, for tools run beside `npm start` (npm run stripe:pay). */
export function embeddedDatabaseUrl(port: number): string {
  return `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${DATABASE_NAME}`;
}
/** Written in .env.example where the first start puts generated secrets. */
const SECRET_PLACEHOLDER = '__GENERATED_ON_FIRST_START__';

const portNumber = z.coerce.number().int().min(1).max(65535);
/** Empty values count as unset, so `DATABASE_URL=` in .env means "embedded". */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

/** on (the default, also when empty) or off. */
const onOff = z
  .string()
  .optional()
  .transform((v) => v?.trim().toLowerCase() || 'on')
  .pipe(z.enum(['on', 'off']));

const launcherSchema = z.object({
  CLINICFLOW_DATA_DIR: z.string().min(1).default('.data'),
  PG_PORT: portNumber.default(5433),
  TEMPORAL_PORT: portNumber.default(7233),
  TEMPORAL_UI_PORT: portNumber.default(8233),
  /** The local mail inbox (scripts/stack/mail-inbox.ts); off when clinics' email goes to real servers. */
  INBOX: onOff,
  INBOX_SMTP_PORT: portNumber.default(1025),
  INBOX_WEB_PORT: portNumber.default(8025),
  TEMPORAL_CLI: optionalText,
  /** Set by scripts/start.sh, which builds stripe-mock once when no STRIPE_SECRET_KEY is configured. */
  STRIPE_MOCK_PATH: optionalText,
  DATABASE_URL: optionalText,
  TEMPORAL_ADDRESS: optionalText,
});
export type LauncherSettings = z.infer<typeof launcherSchema>;

export function parseLauncherSettings(env: NodeJS.ProcessEnv): LauncherSettings {
  const result = launcherSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new LaunchError(`Invalid launcher settings:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}

/** The env file: CLINICFLOW_ENV_FILE (only from the shell, it names the file) or .env at the root. */
export function envFilePath(): string {
  return path.resolve(ROOT, process.env.CLINICFLOW_ENV_FILE || '.env');
}

/** Secrets the launcher generates for a local installation. */
function generatedSecrets(): Record<string, string> {
  return {
    JWT_SECRET: randomBytes(48).toString('base64url'),
    PAYLOAD_ENCRYPTION_KEYS: `local-1:${randomBytes(32).toString('base64')}`,
    PAYLOAD_ENCRYPTION_KEY_ID: 'local-1',
    CREDENTIAL_ENCRYPTION_KEYS: `local-1:${randomBytes(32).toString('base64')}`,
    CREDENTIAL_ENCRYPTION_KEY_ID: 'local-1',
  };
}

/** .env.example with fresh random secrets in place of its placeholders. */
function withGeneratedSecrets(example: string): string {
  let text = example;
  for (const [key, value] of Object.entries(generatedSecrets())) {
    const line = new RegExp(`^${key}=.*$`, 'm');
    if (!line.test(text)) throw new LaunchError(`.env.example has no ${key}= line to fill in`);
    text = text.replace(line, `${key}=${value}`);
  }
  return text;
}

/**
 * Creates the env file on the very first start, so a newcomer has nothing to edit. An env file
 * from an older version gets the secrets that version did not know yet appended, so pulling a
 * new version never stops `npm start`; existing values are never touched.
 */
export async function ensureEnvFile(file: string): Promise<void> {
  if (existsSync(file)) {
    const text = await readFile(file, 'utf8');
    const missing = Object.entries(generatedSecrets()).filter(([key]) => !new RegExp(`^\\s*(export\\s+)?${key}=`, 'm').test(text));
    if (missing.length === 0) return;
    await appendFile(file, `${text.endsWith('\n') ? '' : '\n'}\n# Added by npm start: generated for this installation.\n${missing.map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    log(`added ${missing.map(([k]) => k).join(', ')} to ${displayPath(file)}`);
    return;
  }
  const example = await readFile(path.join(ROOT, '.env.example'), 'utf8');
  // 0600: the file holds secrets. 'wx': never overwrite one that appeared meanwhile.
  await writeFile(file, withGeneratedSecrets(example), { mode: 0o600, flag: 'wx' });
  log(`created ${displayPath(file)} from .env.example with freshly generated JWT_SECRET, PAYLOAD_ENCRYPTION_KEYS and CREDENTIAL_ENCRYPTION_KEYS`);
}

/**
 * Without a Stripe account of its own the local stack runs stripe-mock, and its webhook needs a
 * signing secret that `npm run stripe:pay` signs with: generated once, kept in the env file.
 */
export async function ensureLocalStripeSecret(file: string): Promise<void> {
  if (process.env.STRIPE_SECRET_KEY || process.env.STRIPE_WEBHOOK_SECRET) return;
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const text = await readFile(file, 'utf8');
  await appendFile(file, `${text.endsWith('\n') ? '' : '\n'}\n# Added by npm start: signs the Stripe events \`npm run stripe:pay\` sends while stripe-mock stands in for Stripe.\nSTRIPE_WEBHOOK_SECRET=${secret}\n`);
  process.env.STRIPE_WEBHOOK_SECRET = secret;
  log(`added STRIPE_WEBHOOK_SECRET to ${displayPath(file)}`);
}

/** Loads the env file. Node's loader keeps variables already set in the shell: those win. */
export function loadEnv(file: string): void {
  process.loadEnvFile(file);
  const unfilled = Object.entries(process.env)
    .filter(([, value]) => value?.includes(SECRET_PLACEHOLDER))
    .map(([key]) => key);
  if (unfilled.length) {
    throw new LaunchError(
      `${unfilled.join(', ')} still hold the placeholder of .env.example. Delete ${file} to have it ` +
        'recreated with generated secrets, or put your own values there.',
    );
  }
}

/**
 * Validates the configuration before anything starts, with the addresses the launcher will
 * supply standing in for the ones it does not know yet: a mistake in .env fails in a second.
 */
export function preflightConfig(settings: LauncherSettings, envFile: string): Config {
  try {
    return parseConfig({
      ...process.env,
      DATABASE_URL: settings.DATABASE_URL ?? `postgresql://preflight@127.0.0.1:${settings.PG_PORT}/${DATABASE_NAME}`,
      TEMPORAL_ADDRESS: settings.TEMPORAL_ADDRESS ?? `127.0.0.1:${settings.TEMPORAL_PORT}`,
    });
  } catch (err) {
    throw new LaunchError(`${errorMessage(err)}\nFix these in ${displayPath(envFile)} or in the shell's environment.`);
  }
}
