/**
 * Process configuration, parsed once at start-up from the environment by each process
 * (API, worker, launcher). Nothing else reads process.env.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** A JSON object in an environment variable. */
const jsonObject = z.string().transform((value, ctx) => {
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

/** "keyId:base64Key,keyId:base64Key" — every key that may have encrypted stored payloads. */
const keyRing = z.string().transform((value, ctx) => {
  const keys = new Map<string, string>();
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const sep = entry.indexOf(':');
    const id = entry.slice(0, sep);
    const key = entry.slice(sep + 1);
    if (sep <= 0 || !key) {
      ctx.addIssue({ code: 'custom', message: 'expected keyId:base64Key entries separated by commas' });
      return z.NEVER;
    }
    keys.set(id, key);
  }
  return keys;
});

/**
 * Which proxies in front of the API may say who the client is (X-Forwarded-For), as Express's
 * "trust proxy": false (nobody: the default), a hop count, or addresses and subnets
 * ("10.0.0.0/8,loopback"). Trusting a proxy that is not there lets any client pick its own IP,
 * and with it a fresh login budget per request.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v, ctx): false | number | string[] => {
    const value = v.trim();
    if (value === '' || value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    if (value === 'true') {
      ctx.addIssue({ code: 'custom', message: 'name the hop count or the proxies\' addresses: "true" would trust every client' });
      return z.NEVER;
    }
    return value.split(',').map((s) => s.trim()).filter(Boolean);
  });

const commaList = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean));

/** An SNS topic's ARN (aws, aws-cn, aws-us-gov… partitions); a typo here would silently refuse every SES report. */
const snsTopicArn = z.string().regex(/^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, 'must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)');

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATABASE_URL: z.string().url(),
    /** The API's and the worker's connection pool: size, how long a query waits for a connection, and the longest statement. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
    /** Requests the API serves at once; beyond it answers 503 with Retry-After at once instead of queueing. */
    API_MAX_IN_FLIGHT: z.coerce.number().int().positive().default(200),
    TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().default('default'),
    TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
    API_HOST: z.string().default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_API_URL: z.string().url().optional(),
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(60 * 60 * 24 * 14),
    LOGIN_RATE_LIMIT_PER_15_MIN: z.coerce.number().int().positive().default(10),
    /** Failed logins one client may make in 15 minutes across every e-mail (password spraying). */
    LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: z.coerce.number().int().positive().default(30),
    TRUST_PROXY: trustProxy,
    /** Bearer token a Prometheus scraper sends to GET /metrics; unset, /metrics is not served. */
    METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
    /** Browser origins (https://app.example.com) allowed to call the API cross-origin; none by default. */
    API_CORS_ORIGINS: commaList.pipe(z.array(z.url().transform((u) => new URL(u).origin))),
    PAYLOAD_ENCRYPTION_KEYS: keyRing,
    PAYLOAD_ENCRYPTION_KEY_ID: z.string().min(1),
    /** Seals clinics' provider credentials at rest; same "keyId:base64Key,…" format. */
    CREDENTIAL_ENCRYPTION_KEYS: keyRing,
    CREDENTIAL_ENCRYPTION_KEY_ID: z.string().min(1),
    /** Internal ops inbox that receives every clinic's licence alerts too. */
    OPS_ALERT_EMAIL: z.string().email().optional(),
    /**
     * The platform's default providers for clinics without their own, per channel:
     * {"email":{"providers":[{"provider":"smtp","credentials":{…}}],"settings":{…}}}. Validated by the worker.
     */
    GLOBAL_MESSAGING_CONFIG: jsonObject.default({}),
    /** Where vendors' APIs live when not at their public defaults: {"twilio":"https://…","smtp":"smtp://relay:25"}. */
    PROVIDER_ENDPOINTS: jsonObject.pipe(z.record(z.string(), z.string().url())).default({}),
    /**
     * The SNS topics POST /webhooks/ses takes messages from (comma-separated ARNs). SNS signs for every
     * AWS account's topics alike, so without this list anyone's topic is accepted: production sets it.
     */
    SES_SNS_TOPIC_ARNS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((arn) => arn.trim()).filter(Boolean))
      .pipe(z.array(snsTopicArn)),
    /** The platform's Stripe account, which takes patients' card payments (payment links). Without it, payment links answer 503. */
    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)').optional(),
    /** The signing secret of the Stripe webhook endpoint (whsec_…): POST /webhooks/stripe checks every event with it. */
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'must be a Stripe webhook signing secret (whsec_…)').optional(),
    /** The Stripe Price of each licence tier clinics subscribe to, e.g. {"M":"price_…"}: clinic subscription billing. */
    STRIPE_TIER_PRICES: jsonObject.pipe(z.record(z.string(), z.string().regex(/^price_\w+$/, 'must be a Stripe price id (price_…)'))).default({}),
    /** Where uploaded files (expense receipts) are kept: a directory on local disk, unless FILE_S3_BUCKET names an S3 bucket. */
    FILE_STORAGE_DIR: z.string().default('.data/files'),
    /** An S3 (or S3-compatible) bucket for uploaded files; credentials from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID…). */
    FILE_S3_BUCKET: z.string().min(3).optional(),
    FILE_S3_REGION: z.string().default('us-east-1'),
    /** An S3-compatible service's address (MinIO, moto, R2…); absent: AWS itself. Such services want path-style addressing. */
    FILE_S3_ENDPOINT: z.string().url().optional(),
    CODEC_CORS_ORIGINS: z
      .string()
      .default('http://localhost:8233,http://127.0.0.1:8233')
      .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean)),
    CODEC_SESSION_TTL_SECONDS: z.coerce.number().int().positive().default(8 * 60 * 60),
    LICENSING_SCHEDULE_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(2),
    /** How often each worker re-checks every Schedule against the database (it always does at start-up); 0: at start-up only. */
    SCHEDULE_RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60),
    /** The worker's Prometheus /metrics (Temporal SDK and business metrics); 0: none. */
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    WORKER_METRICS_HOST: z.string().default('127.0.0.1'),
    /**
     * Worker tuning; unset leaves the Temporal SDK's defaults (100 activities, 100 local activities,
     * 40 workflow tasks at once). Workflows not in the cache are replayed from history on their next
     * task, which costs CPU, not correctness. The cache is bounded (250): most of ClinicFlow's
     * workflows wait days on a timer, and the SDK's own size (from the heap) let 2,000 open
     * appointments hold 1.9 GiB; with 500, opening 10,000 peaked at 1,049 MiB, with 250 at 915 MiB
     * and reminders as punctual (README, Performance).
     */
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
    WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().positive().optional(),
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).optional(),
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(250),
    /** A workflow bundle built by `npm run build:workflows`: the worker loads it instead of bundling at start. */
    WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
    /** Where OpenTelemetry traces go: none (the default), console (stdout), or otlp (OTEL_EXPORTER_OTLP_ENDPOINT, OTLP over HTTP). */
    OTEL_TRACES_EXPORTER: z.enum(['none', 'console', 'otlp']).default('none'),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    SUPERADMIN_EMAIL: z.string().email().optional(),
    SUPERADMIN_PASSWORD: z.string().min(12).optional(),
    /** Seeds the demo clinic, its staff (all with DEMO_STAFF_PASSWORD) and patients. */
    SEED_DEMO: bool.default(true),
    DEMO_STAFF_PASSWORD: z.string().min(12).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.OTEL_TRACES_EXPORTER === 'otlp' && !c.OTEL_EXPORTER_OTLP_ENDPOINT) {
      ctx.addIssue({ code: 'custom', path: ['OTEL_EXPORTER_OTLP_ENDPOINT'], message: 'required when OTEL_TRACES_EXPORTER=otlp (e.g. http://collector:4318)' });
    }
    if (!c.PAYLOAD_ENCRYPTION_KEYS.has(c.PAYLOAD_ENCRYPTION_KEY_ID)) {
      ctx.addIssue({ code: 'custom', path: ['PAYLOAD_ENCRYPTION_KEY_ID'], message: 'not one of PAYLOAD_ENCRYPTION_KEYS' });
    }
    if (!c.CREDENTIAL_ENCRYPTION_KEYS.has(c.CREDENTIAL_ENCRYPTION_KEY_ID)) {
      ctx.addIssue({ code: 'custom', path: ['CREDENTIAL_ENCRYPTION_KEY_ID'], message: 'not one of CREDENTIAL_ENCRYPTION_KEYS' });
    }
  });

export type Config = z.infer<typeof configSchema>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    // Name the variables, never echo their values: some are secrets.
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
