/**
 * What a benchmark run measures and for how long, from the environment (all optional): the issue's
 * figures by default; BENCH_SECONDS=10 and smaller counts give a quick run.
 */
import { z } from 'zod';
import { BACKGROUND_NICENESS } from '../stack/app-processes';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const rate = (fallback: number) => z.coerce.number().positive().default(fallback);

const SCENARIOS = ['booking', 'temporal', 'delivery', 'reminders', 'scale', 'reports'] as const;
export type Scenario = (typeof SCENARIOS)[number];

const settingsSchema = z.object({
  /** Which goals to measure, comma-separated. */
  BENCH_SCENARIOS: z
    .string()
    .default('temporal,booking,delivery,reminders,scale,reports')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(SCENARIOS))),
  /** Length of each open-loop phase (booking, and its GET /patients/:id baseline). */
  BENCH_SECONDS: rate(60),
  /** Requests per second of the one-clinic phase; the multi-clinic phase spreads the same total over BENCH_CLINICS. */
  BENCH_RATE: rate(100),
  BENCH_CLINICS: count(10),
  BENCH_PRACTITIONERS: count(40),
  /** The beyond-capacity phase: what it sends and for how long. */
  BENCH_OVERLOAD_RATE: rate(400),
  BENCH_OVERLOAD_SECONDS: rate(10),
  /** The Temporal baseline: no-op workflows (one no-op activity each) and how many are started at once. */
  BENCH_BASELINE_WORKFLOWS: count(1000),
  BENCH_BASELINE_CONCURRENCY: count(20),
  /** Delivery: this many send requests, one after another, of this many email recipients each; how long to wait for the last message. */
  BENCH_DELIVERY_SENDS: count(10),
  BENCH_DELIVERY_RECIPIENTS: count(100),
  BENCH_DELIVERY_TIMEOUT_SECONDS: count(600),
  /** Reminders: the batch sizes due at one instant (each batch in turn, `1` first), and how far ahead their due time is set. */
  BENCH_REMINDER_BATCHES: z
    .string()
    .default('1,150,1000')
    .transform((s) => s.split(',').map((x) => Number(x.trim())))
    .pipe(z.array(z.number().int().positive())),
  BENCH_REMINDER_LEAD_SECONDS: count(60),
  BENCH_REMINDER_TIMEOUT_SECONDS: count(300),
  /** Scale: appointment workflows left open on their timers, and the booking phase measured with none and with them open. */
  BENCH_SCALE_WORKFLOWS: count(10_000),
  BENCH_SCALE_BOOKING_RATE: rate(10),
  BENCH_SCALE_BOOKING_SECONDS: rate(30),
  /** The niceness of the worker and the Temporal dev server (0: the API's priority, to compare), as `npm start` runs them. */
  BENCH_BACKGROUND_NICENESS: z.coerce.number().int().min(0).max(19).default(BACKGROUND_NICENESS),
  /** `true`: the dev server without the bench's dynamic config (stack.ts DEV_SERVER_DYNAMIC_CONFIG), to compare. */
  BENCH_DEV_SERVER_DEFAULTS: z.stringbool().default(false),
  /** The reports scenario: one clinic's volume (seeded in SQL) and the requests timed per report. */
  BENCH_REPORT_APPOINTMENTS: count(50_000),
  BENCH_REPORT_PAYMENTS: count(100_000),
  BENCH_REPORT_REQUESTS: count(30),
  /** An existing PostgreSQL server (its admin URL) and Temporal server; otherwise the bench starts its own. */
  BENCH_DATABASE_URL: z.string().url().optional(),
  BENCH_TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_CLI: z.string().optional(),
});

export type BenchSettings = z.infer<typeof settingsSchema>;

export function parseBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid benchmark settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  return parsed.data;
}
