/**
 * Goal 4: scale. Bookings at BENCH_SCALE_BOOKING_RATE for BENCH_SCALE_BOOKING_SECONDS with no
 * other appointment open (the baseline), then BENCH_SCALE_WORKFLOWS appointment workflows opened
 * and left waiting on their timers (their confirmations delivered first), then the same bookings
 * again: booking p95 with them open against the baseline, and the worker's resident memory read
 * from /proc of the worker process.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { bookingRequest } from './booking';
import { bookingStart, createBenchClinic, ensureBenchTier } from './fixtures';
import { openLoop } from './load';
import { openAppointments } from './open-appointments';
import { type BenchSettings } from './settings';
import { type BenchStack } from './stack';
import { type LatencySummary, ms, ratio, statusList, summarise, type Verdict } from './stats';

const RSS_LIMIT_BYTES = 1024 ** 3;
const P95_GROWTH_LIMIT = 1.2;
const DAY_MS = 24 * 3_600_000;

export interface ScaleFigures {
  open: number;
  /** Running appointment workflows as Temporal counts them. */
  running: number;
  startSeconds: number;
  rssBefore: number;
  rssOpen: number;
  /** The worker's peak resident memory (VmHWM) over the run. */
  rssPeak: number;
  none: LatencySummary;
  withOpen: LatencySummary;
}

/** VmRSS and VmHWM of a process, in bytes. */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

export async function benchScale(stack: BenchStack, s: BenchSettings, log: (line: string) => void): Promise<ScaleFigures> {
  await ensureBenchTier(stack.prisma);
  const desk = await createBenchClinic(stack.prisma, stack.apiUrl, 'Bench Scale Desk', s.BENCH_PRACTITIONERS);
  const from = bookingStart();
  let n = 0;
  const phase = async (name: string) => {
    log(`scale: bookings at ${s.BENCH_SCALE_BOOKING_RATE}/s for ${s.BENCH_SCALE_BOOKING_SECONDS} s, ${name}`);
    const summary = summarise(await openLoop({ ratePerSecond: s.BENCH_SCALE_BOOKING_RATE, seconds: s.BENCH_SCALE_BOOKING_SECONDS, send: (_i, signal) => bookingRequest(stack, desk, n++, from, signal) }));
    log(`scale: ${name}: booking p95 ${ms(summary.p95)} (${statusList(summary.statuses)})`);
    return summary;
  };
  const pid = stack.worker.child.pid!;
  // Warm-up, then the baseline with none open.
  for (let i = 0; i < 5; i++) await (await bookingRequest(stack, desk, n++, from, AbortSignal.timeout(30_000))).arrayBuffer();
  const none = await phase('none open');
  const rssBefore = (await memoryOf(pid)).rss;

  log(`scale: opening ${s.BENCH_SCALE_WORKFLOWS} appointment workflows`);
  // A month ahead: their reminders and no-show checks stay in the future for the whole run.
  const opened = await openAppointments(stack, { name: 'Bench Scale', count: s.BENCH_SCALE_WORKFLOWS, pairs: 100, from: new Date(from.getTime() + 30 * DAY_MS), settings: { appointments: { reminderChannels: ['email'] } }, log });
  log(`scale: ${s.BENCH_SCALE_WORKFLOWS} started in ${opened.startSeconds.toFixed(1)} s; waiting for their confirmations`);
  const confirmations = () => stack.smtp.received.filter((m) => m.envelope.to.some((to) => opened.patientEmails.has(to))).length;
  const deadline = Date.now() + s.BENCH_DELIVERY_TIMEOUT_SECONDS * 1000 + s.BENCH_SCALE_WORKFLOWS * 200;
  for (let lastLog = Date.now(); confirmations() < s.BENCH_SCALE_WORKFLOWS && Date.now() < deadline; await sleep(500)) {
    if (Date.now() - lastLog >= 30_000) {
      log(`scale: ${confirmations()} of ${s.BENCH_SCALE_WORKFLOWS} confirmations delivered; worker RSS ${mib((await memoryOf(pid)).rss)}`);
      lastLog = Date.now();
    }
  }
  const running = await stack.temporal.client.workflow.count(`WorkflowType = 'appointmentWorkflow' AND ExecutionStatus = 'Running' AND ClinicId = '${opened.clinicId}'`);
  const rssOpen = (await memoryOf(pid)).rss;
  log(`scale: ${running.count} running, worker RSS ${mib(rssOpen)}`);
  const withOpen = await phase(`${s.BENCH_SCALE_WORKFLOWS} open`);
  const mem = await memoryOf(pid);
  return { open: s.BENCH_SCALE_WORKFLOWS, running: running.count, startSeconds: opened.startSeconds, rssBefore, rssOpen: Math.max(rssOpen, mem.rss), rssPeak: mem.peak, none, withOpen };
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

export function scaleVerdicts(f: ScaleFigures): Verdict[] {
  return [
    { goal: `${f.open} open appointment workflows: worker RSS ≤ 1 GiB`, figure: `${mib(f.rssOpen)} (peak ${mib(f.rssPeak)}; ${f.running} running)`, baseline: `${mib(f.rssBefore)} with none open`, met: f.rssPeak <= RSS_LIMIT_BYTES && f.running >= f.open },
    {
      goal: `booking p95 with them open within ${Math.round((P95_GROWTH_LIMIT - 1) * 100)} % of none open`,
      figure: `p95 ${ms(f.withOpen.p95)} (${ratio(f.withOpen.p95, f.none.p95)}; ${statusList(f.withOpen.statuses)})`,
      baseline: `none open: p95 ${ms(f.none.p95)} (${statusList(f.none.statuses)})`,
      met: f.withOpen.p95 <= P95_GROWTH_LIMIT * f.none.p95,
    },
  ];
}
