/**
 * Goal 2: delivery. BENCH_DELIVERY_SENDS requests of BENCH_DELIVERY_RECIPIENTS recipients each
 * (`POST /communication/send`, email), one after another as a desk would send them, to the
 * bench's SMTP sink: how long each request took to answer, and how many messages per second
 * arrived at the sink from the first request to the last arrival, next to the Temporal baseline
 * (no-op workflows with one no-op activity on the same server, in the same run).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchStack } from './stack';
import { createBenchClinic, ensureBenchTier } from './fixtures';
import { type BenchSettings } from './settings';
import { ms, percentile, type Verdict } from './stats';
import { type TemporalBaseline } from './temporal-baseline';

export interface DeliveryFigures {
  messages: number;
  /** Answer time of each send request, in order. */
  answersMs: number[];
  statuses: number[];
  /** Messages that reached the sink, and the seconds from the first request to the last of them. */
  arrived: number;
  seconds: number;
  deliveredPerSecond: number;
  /** Message rows DELIVERED at the end. */
  deliveredRows: number;
}

const ANSWER_LIMIT_MS = 1000;

export async function benchDelivery(stack: BenchStack, s: BenchSettings, log: (line: string) => void): Promise<DeliveryFigures> {
  await ensureBenchTier(stack.prisma);
  const clinic = await createBenchClinic(stack.prisma, stack.apiUrl, 'Bench Delivery', 1);
  const tag = randomUUID().slice(0, 8);
  const subject = `Bench delivery ${tag}`;
  const send = (n: number) =>
    fetch(`${stack.apiUrl}/api/v1/communication/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clinic.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        category: 'bench',
        channels: ['email'],
        subject,
        body: 'The clinic is closed on Friday afternoon.',
        recipients: Array.from({ length: s.BENCH_DELIVERY_RECIPIENTS }, (_, i) => ({ email: `r-${n}-${i}-${tag}@patients.test` })),
      }),
      signal: AbortSignal.timeout(60_000),
    });
  const messages = s.BENCH_DELIVERY_SENDS * s.BENCH_DELIVERY_RECIPIENTS;
  const arrivedOf = () => stack.smtp.received.filter((m) => m.subject === subject);

  log(`delivery: ${s.BENCH_DELIVERY_SENDS} sends of ${s.BENCH_DELIVERY_RECIPIENTS} recipients (${messages} messages) to the SMTP sink`);
  const answersMs: number[] = [];
  const statuses: number[] = [];
  const started = Date.now();
  for (let n = 0; n < s.BENCH_DELIVERY_SENDS; n++) {
    const t0 = performance.now();
    const response = await send(n).catch(() => null);
    await response?.arrayBuffer();
    answersMs.push(performance.now() - t0);
    statuses.push(response?.status ?? 0);
  }
  log(`delivery: sends answered ${answersMs.map((a) => ms(a)).join(', ')}; waiting for the messages`);
  const deadline = Date.now() + s.BENCH_DELIVERY_TIMEOUT_SECONDS * 1000;
  for (let lastLog = Date.now(); Date.now() < deadline; await sleep(250)) {
    const n = arrivedOf().length;
    if (n >= messages) break;
    if (Date.now() - lastLog >= 10_000) {
      log(`delivery: ${n} of ${messages} arrived`);
      lastLog = Date.now();
    }
  }
  const arrived = arrivedOf();
  const lastArrival = arrived.reduce((m, e) => Math.max(m, e.receivedAt), started);
  const seconds = (lastArrival - started) / 1000;
  // The row turns DELIVERED just after the sink took the message (the workflow's last step): give the last ones a moment.
  const countDelivered = () => stack.prisma.message.count({ where: { clinicId: clinic.id, status: 'DELIVERED' } });
  let deliveredRows = await countDelivered();
  for (const settle = Date.now() + 30_000; deliveredRows < messages && Date.now() < settle; deliveredRows = await countDelivered()) await sleep(250);
  return { messages, answersMs, statuses, arrived: arrived.length, seconds, deliveredPerSecond: arrived.length / Math.max(seconds, 0.001), deliveredRows };
}

export function deliveryVerdicts(f: DeliveryFigures, baseline: TemporalBaseline | undefined): Verdict[] {
  const worst = Math.max(...f.answersMs);
  const accepted = f.statuses.filter((st) => st === 202).length;
  const ratioToBaseline = baseline ? f.deliveredPerSecond / baseline.workflowsPerSecond : Number.NaN;
  return [
    {
      goal: 'delivered/s ≥ 1.0× the Temporal baseline',
      figure: `${f.deliveredPerSecond.toFixed(1)} delivered/s (${f.arrived} in ${f.seconds.toFixed(1)} s): ${Number.isFinite(ratioToBaseline) ? `${ratioToBaseline.toFixed(2)}×` : 'n/a'}`,
      baseline: baseline ? `no-op workflow + no-op activity ${baseline.workflowsPerSecond.toFixed(1)} /s` : 'not measured (add temporal to BENCH_SCENARIOS)',
      met: ratioToBaseline >= 1,
    },
    { goal: `each send of ${f.messages / f.answersMs.length} answered in < ${ANSWER_LIMIT_MS} ms`, figure: `max ${ms(worst)}, p50 ${ms(percentile(f.answersMs, 50))} (${accepted} of ${f.statuses.length} answered 202)`, baseline: '', met: worst < ANSWER_LIMIT_MS && accepted === f.statuses.length },
    { goal: 'none lost: every message at the sink, once, and DELIVERED', figure: `${f.arrived} arrived, ${f.deliveredRows} rows DELIVERED, of ${f.messages}`, baseline: '', met: f.arrived === f.messages && f.deliveredRows === f.messages },
  ];
}
