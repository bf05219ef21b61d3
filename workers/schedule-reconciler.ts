/**
 * Brings every Schedule in line with the code and the database: the platform's own (licensing-daily)
 * and each clinic's payment-reminders/<clinicId> and monthly-report/<clinicId>. Runs in every worker at start-up (in the background,
 * after the worker polls) and every SCHEDULE_RECONCILE_INTERVAL_MINUTES, in the compose bootstrap
 * and in `npm start`. Many can run at once: each Schedule is described and compared first, created
 * when absent (losing the race to another reconciler is fine), updated only when it differs.
 * Clinics are read a page at a time, so thousands of them never sit in memory at once.
 */
import { type Client, type ScheduleDescription } from '@temporalio/client';
import { type Logger } from 'pino';
import { markScheduleReconcileSucceeded, recordScheduleWrites, setSchedulesOverdue } from '../activities/observability/business-metrics';
import { type PrismaClient } from '../prisma/client';
import { monthlyReportSchedule } from '../temporal-config/monthly-report-schedule';
import { paymentReminderSchedule } from '../temporal-config/payment-reminder-schedule';
import { applySchedule, type ScheduleWrite } from '../temporal-config/schedule-sync';
import { platformSchedules, type ScheduleSettings } from './schedules';

export interface ReconcileOptions {
  client: Client;
  prisma: PrismaClient;
  settings: ScheduleSettings;
  /** Clinics read per page. */
  pageSize?: number;
  /** Schedules described (and written) at once: enough to be quick, few enough not to crowd Temporal. */
  concurrency?: number;
  /** The clock that decides whether a Schedule is overdue. */
  now?: () => Date;
  /** false: the clinics' Schedules only, not the platform's. */
  platform?: boolean;
}

export type WriteCounts = Record<ScheduleWrite, number>;

export interface ReconcileResult {
  platform: WriteCounts;
  /** The clinics' payment-reminder Schedules. */
  clinics: WriteCounts;
  /** The clinics' monthly owner report Schedules. */
  monthlyReports: WriteCounts;
  /** Unpaused clinic Schedules whose next firing lies well in the past: they are not firing. */
  overdue: number;
}

/** A Schedule whose next firing is this far behind the clock is not firing (Temporal moves it on when it fires). */
const OVERDUE_AFTER_MS = 10 * 60_000;

const zero = (): WriteCounts => ({ created: 0, updated: 0, unchanged: 0 });

function isOverdue(found: ScheduleDescription | undefined, now: Date): boolean {
  if (!found || found.state.paused) return false;
  const next = found.info.nextActionTimes[0];
  return next !== undefined && now.getTime() - next.getTime() > OVERDUE_AFTER_MS;
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export async function reconcileSchedules({ client, prisma, settings, pageSize = 200, concurrency = 8, now = () => new Date(), platform = true }: ReconcileOptions): Promise<ReconcileResult> {
  const result: ReconcileResult = { platform: zero(), clinics: zero(), monthlyReports: zero(), overdue: 0 };
  let platformOverdue = 0;
  for (const options of platform ? platformSchedules(settings) : []) {
    const { write, found } = await applySchedule(client, options);
    result.platform[write]++;
    if (write === 'unchanged' && isOverdue(found, now())) platformOverdue++;
  }

  let after: string | undefined;
  for (;;) {
    const page = await prisma.clinic.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: pageSize,
      select: { id: true, timezone: true, settings: true },
    });
    await eachLimited(page, concurrency, async (clinic) => {
      const { write, found } = await applySchedule(client, paymentReminderSchedule(clinic));
      result.clinics[write]++;
      // Judged on what was found: a Schedule just corrected gets its next firing from Temporal.
      if (write === 'unchanged' && isOverdue(found, now())) result.overdue++;
      result.monthlyReports[(await applySchedule(client, monthlyReportSchedule(clinic))).write]++;
    });
    if (page.length < pageSize) break;
    after = page.at(-1)!.id;
  }

  recordScheduleWrites('platform', result.platform);
  recordScheduleWrites('payment-reminders', result.clinics);
  recordScheduleWrites('monthly-report', result.monthlyReports);
  setSchedulesOverdue('payment-reminders', result.overdue);
  if (platform) setSchedulesOverdue('platform', platformOverdue);
  markScheduleReconcileSucceeded();
  return result;
}

/**
 * The worker's part: reconcile now and then every `intervalMs`, never blocking the worker and
 * never stopping it (Temporal or PostgreSQL away: logged, tried again at the next round, sooner
 * after a failure). Returns a function that stops the rounds.
 */
export function reconcileSchedulesInBackground(options: ReconcileOptions & { logger: Logger; intervalMs: number }): () => void {
  const { logger, intervalMs } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = async () => {
    let failed = false;
    try {
      const started = Date.now();
      const { platform, clinics, overdue } = await reconcileSchedules(options);
      logger.info({ platform, clinics, overdue, ms: Date.now() - started }, 'Schedules reconciled');
      if (overdue) logger.warn({ overdue }, 'some clinics\' payment-reminder Schedules are not firing');
    } catch (err) {
      failed = true;
      logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message } }, 'Schedules not reconciled; trying again within a minute');
    }
    // A failed round is tried again within a minute; interval 0 means start-up only once it succeeded.
    const nextIn = failed ? Math.min(intervalMs || 60_000, 60_000) : intervalMs;
    if (!stopped && nextIn > 0) timer = setTimeout(() => void round(), nextIn).unref();
  };
  void round();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
