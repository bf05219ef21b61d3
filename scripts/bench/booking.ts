/**
 * Goal 1: bookings under open-loop load, each phase next to `GET /patients/:id` at the same rate
 * just before it (the same API, database and machine: the ratio is what counts), then a phase far
 * beyond capacity in which every refusal must be a 429 or 503 with Retry-After, never a 500.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchStack } from './stack';
import { type BenchClinic, bookingStart, createBenchClinic, ensureBenchTier, nthSlot } from './fixtures';
import { openLoop } from './load';
import { type BenchSettings } from './settings';
import { type LatencySummary, ms, ratio, statusList, summarise, type Verdict } from './stats';

export interface BookingPhase {
  name: string;
  rate: number;
  seconds: number;
  booking: LatencySummary;
  baseline: LatencySummary;
}

export interface BookingFigures {
  phases: BookingPhase[];
  overload: LatencySummary & { rate: number; seconds: number };
  /** Rows in the database for the clinics booked, the 201 answers, and the requests sent. */
  rows: number;
  created: number;
  sent: number;
}

const P95_LIMIT_MS = 200;
const P95_BASELINE_FACTOR = 10;

/** `POST /appointments` of the n-th slot of a clinic (see nthSlot). */
export function bookingRequest(stack: BenchStack, c: BenchClinic, n: number, from: Date, signal: AbortSignal): Promise<Response> {
  return fetch(`${stack.apiUrl}/api/v1/appointments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ ...nthSlot(c, n, from), durationMinutes: 30, type: 'CONSULTATION' }),
    signal,
  });
}

export async function benchBooking(stack: BenchStack, s: BenchSettings, log: (line: string) => void): Promise<BookingFigures> {
  await ensureBenchTier(stack.prisma);
  const clinic = (name: string, practitioners: number) => createBenchClinic(stack.prisma, stack.apiUrl, name, practitioners);
  const one = await clinic('Bench One', s.BENCH_PRACTITIONERS);
  const many: BenchClinic[] = [];
  for (let i = 0; i < s.BENCH_CLINICS; i++) many.push(await clinic(`Bench Network ${i}`, Math.max(4, Math.ceil(s.BENCH_PRACTITIONERS / s.BENCH_CLINICS))));
  const flood = await clinic('Bench Flood', s.BENCH_PRACTITIONERS);
  const from = bookingStart();
  const counters = new Map<string, number>();
  const book = (c: BenchClinic, signal: AbortSignal) => {
    const n = counters.get(c.id) ?? 0;
    counters.set(c.id, n + 1);
    return bookingRequest(stack, c, n, from, signal);
  };
  const readPatient = (c: BenchClinic, i: number, signal: AbortSignal) =>
    fetch(`${stack.apiUrl}/api/v1/patients/${c.patientIds[i % c.patientIds.length]}`, { headers: { authorization: `Bearer ${c.token}` }, signal });

  // Warm-up: connections, JIT, the first workflow tasks; not measured.
  for (let i = 0; i < 10; i++) {
    await (await readPatient(one, i, AbortSignal.timeout(30_000))).arrayBuffer();
    await (await book(flood, AbortSignal.timeout(30_000))).arrayBuffer();
  }

  const phase = async (name: string, clinics: BenchClinic[]): Promise<BookingPhase> => {
    const rate = s.BENCH_RATE;
    const pick = (i: number) => clinics[i % clinics.length]!;
    log(`${name}: GET /patients/:id at ${rate}/s for ${s.BENCH_SECONDS} s (baseline)`);
    const baseline = summarise(await openLoop({ ratePerSecond: rate, seconds: s.BENCH_SECONDS, send: (i, signal) => readPatient(pick(i), Math.floor(i / clinics.length), signal) }));
    log(`${name}: bookings at ${rate}/s for ${s.BENCH_SECONDS} s`);
    const booking = summarise(await openLoop({ ratePerSecond: rate, seconds: s.BENCH_SECONDS, send: (i, signal) => book(pick(i), signal) }));
    log(`${name}: booking p95 ${ms(booking.p95)} (${statusList(booking.statuses)}), baseline p95 ${ms(baseline.p95)}`);
    return { name, rate, seconds: s.BENCH_SECONDS, booking, baseline };
  };

  // Each phase on its own: the next starts once the previous one's workflows have started and
  // their confirmations gone out, instead of measuring one phase in the other's wake.
  const settled = async (name: string, clinics: BenchClinic[]) => {
    const clinicId = { in: clinics.map((c) => c.id) };
    const pending = async () =>
      (await stack.prisma.appointment.count({ where: { clinicId, workflowStartedAt: null } })) +
      (await stack.prisma.message.count({ where: { clinicId, status: { in: ['PENDING', 'SENDING', 'RETRYING'] } } }));
    const began = Date.now();
    while ((await pending()) > 0 && Date.now() - began < s.BENCH_DELIVERY_TIMEOUT_SECONDS * 1000) await sleep(1_000);
    log(`${name}: workflows started and confirmations out ${ms(Date.now() - began)} after the phase (${await pending()} still pending)`);
  };
  const first = await phase('one clinic', [one]);
  await settled('one clinic', [one]);
  const phases = [first, await phase(`${s.BENCH_CLINICS} clinics`, many)];
  log(`beyond capacity: bookings at ${s.BENCH_OVERLOAD_RATE}/s for ${s.BENCH_OVERLOAD_SECONDS} s`);
  const overload = summarise(await openLoop({ ratePerSecond: s.BENCH_OVERLOAD_RATE, seconds: s.BENCH_OVERLOAD_SECONDS, send: (_i, signal) => book(flood, signal) }));
  log(`beyond capacity: ${statusList(overload.statuses)}`);

  const clinicIds = [one, ...many].map((c) => c.id);
  const rows = await stack.prisma.appointment.count({ where: { clinicId: { in: clinicIds } } });
  const created = phases.reduce((sum, p) => sum + (p.booking.statuses[201] ?? 0), 0);
  const sent = phases.reduce((sum, p) => sum + p.booking.count, 0);
  return { phases, overload: { ...overload, rate: s.BENCH_OVERLOAD_RATE, seconds: s.BENCH_OVERLOAD_SECONDS }, rows, created, sent };
}

export function bookingVerdicts(f: BookingFigures): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const p of f.phases) {
    const failed = p.booking.count - (p.booking.statuses[201] ?? 0);
    verdicts.push(
      { goal: `booking, ${p.name}, ${p.rate}/s for ${p.seconds} s: p95 < ${P95_LIMIT_MS} ms`, figure: `p95 ${ms(p.booking.p95)} (p50 ${ms(p.booking.p50)}, p99 ${ms(p.booking.p99)})`, baseline: '', met: p.booking.p95 < P95_LIMIT_MS },
      { goal: `booking, ${p.name}: 0 errors`, figure: `${failed} of ${p.booking.count} not 201 (${statusList(p.booking.statuses)})`, baseline: '', met: failed === 0 },
      {
        goal: `booking, ${p.name}: p95 ≤ ${P95_BASELINE_FACTOR}× GET /patients/:id p95`,
        figure: `${ratio(p.booking.p95, p.baseline.p95)}`,
        baseline: `GET /patients/:id at ${p.rate}/s p95 ${ms(p.baseline.p95)}, p50 ${ms(p.baseline.p50)}`,
        met: p.booking.p95 <= P95_BASELINE_FACTOR * p.baseline.p95,
      },
    );
  }
  const o = f.overload;
  const fiveHundreds = Object.entries(o.statuses).filter(([code]) => Number(code) >= 500 && Number(code) !== 503).reduce((n, [, c]) => n + c, 0);
  verdicts.push(
    { goal: `beyond capacity (${o.rate}/s for ${o.seconds} s): no 500, every request answered`, figure: statusList(o.statuses), baseline: '', met: fiveHundreds === 0 && (o.statuses[0] ?? 0) === 0 },
    { goal: 'beyond capacity: every 429/503 names a Retry-After', figure: `${o.refusedWithRetryAfter} of ${o.refused}`, baseline: '', met: o.refusedWithRetryAfter === o.refused },
    // A request the bench gave up on may still have booked: rows lie between the 201s and the requests sent.
    { goal: 'exact: a row for every 201, none beyond the requests', figure: `${f.rows} rows, ${f.created} answered 201, ${f.sent} sent`, baseline: '', met: f.rows >= f.created && f.rows <= f.sent },
  );
  return verdicts;
}
