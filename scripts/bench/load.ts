/**
 * Open-loop load: requests go out on a fixed timetable whether or not earlier ones have been
 * answered, and each latency counts from the moment its request was due, so a slow server cannot
 * hide its queue by slowing the generator down (no coordinated omission).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Sample } from './stats';

export interface OpenLoopOptions {
  ratePerSecond: number;
  seconds: number;
  /** Sends request number `i` (give `signal` to fetch); resolves with its answer. */
  send: (i: number, signal: AbortSignal) => Promise<Response>;
  /** A request not answered in this time counts as no answer. */
  timeoutMs?: number;
}

export async function openLoop(opts: OpenLoopOptions): Promise<Sample[]> {
  const total = Math.round(opts.ratePerSecond * opts.seconds);
  const intervalMs = 1000 / opts.ratePerSecond;
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(
      one(opts, i, due).then((s) => {
        samples.push(s);
      }),
    );
  }
  await Promise.all(inFlight);
  return samples;
}

async function one(opts: OpenLoopOptions, i: number, due: number): Promise<Sample> {
  try {
    const response = await opts.send(i, AbortSignal.timeout(opts.timeoutMs ?? 30_000));
    // Read the body: the connection is reused only once it has been consumed.
    await response.arrayBuffer();
    return { latencyMs: performance.now() - due, status: response.status, retryAfter: response.headers.has('retry-after') };
  } catch {
    return { latencyMs: performance.now() - due, status: 0, retryAfter: false };
  }
}
