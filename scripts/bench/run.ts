/**
 * `npm run bench`: the performance goals of issue 14, measured on a stack of its own (or on the
 * servers named in BENCH_DATABASE_URL / BENCH_TEMPORAL_ADDRESS), each figure printed next to a
 * baseline measured in the same run. Durations and sizes: scripts/bench/settings.ts. Not a test:
 * it reports, and exits 0 unless it could not measure.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { benchBooking, bookingVerdicts } from './booking';
import { benchReports, reportVerdicts } from './reports';
import { parseBenchSettings } from './settings';
import { startBenchStack } from './stack';
import { printVerdicts } from './stats';
import { benchDelivery, deliveryVerdicts } from './delivery';
import { benchReminders, reminderVerdicts } from './reminders';
import { benchScale, scaleVerdicts } from './scale';
import { measureTemporalBaseline, type TemporalBaseline } from './temporal-baseline';

const log = (line: string) => console.log(`[bench] ${line}`);

async function main(): Promise<void> {
  const settings = parseBenchSettings(process.env);
  // The baseline's worker runs in this process: its lifecycle chatter is not a figure.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  log(`scenarios: ${settings.BENCH_SCENARIOS.join(', ')}; phases of ${settings.BENCH_SECONDS} s at ${settings.BENCH_RATE}/s`);
  const stack = await startBenchStack(settings, log);
  const stop = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let baseline: TemporalBaseline | undefined;
  try {
    if (settings.BENCH_SCENARIOS.includes('temporal')) {
      // First, on the fresh server: the other scenarios leave workflows behind that would slow it.
      log(`Temporal baseline: ${settings.BENCH_BASELINE_WORKFLOWS} no-op workflows, ${settings.BENCH_BASELINE_CONCURRENCY} at a time`);
      const b = (baseline = await measureTemporalBaseline({ address: stack.env.TEMPORAL_ADDRESS!, workflows: settings.BENCH_BASELINE_WORKFLOWS, concurrency: settings.BENCH_BASELINE_CONCURRENCY }));
      printVerdicts('Temporal dev server baseline (what the delivery goal compares against)', [
        { goal: 'no-op workflow with one no-op activity', figure: `${b.workflowsPerSecond.toFixed(1)} workflows/s (${b.workflows} in ${b.seconds.toFixed(1)} s)`, baseline: '', met: true },
      ]);
    }
    if (settings.BENCH_SCENARIOS.includes('booking')) {
      const figures = await benchBooking(stack, settings, log);
      printVerdicts('Goal 1: booking', bookingVerdicts(figures));
    }
    if (settings.BENCH_SCENARIOS.includes('delivery')) {
      const figures = await benchDelivery(stack, settings, log);
      printVerdicts('Goal 2: delivery', deliveryVerdicts(figures, baseline));
    }
    if (settings.BENCH_SCENARIOS.includes('reminders')) {
      const batches = await benchReminders(stack, settings, log);
      printVerdicts('Goal 3: reminders (lateness = arrival at the SMTP sink minus due time)', reminderVerdicts(batches));
    }
    if (settings.BENCH_SCENARIOS.includes('scale')) {
      const figures = await benchScale(stack, settings, log);
      printVerdicts('Goal 4: scale', scaleVerdicts(figures));
    }
    if (settings.BENCH_SCENARIOS.includes('reports')) {
      printVerdicts('Reports (issue 13): one clinic, one request at a time', reportVerdicts(await benchReports(stack, settings, log)));
    }
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
