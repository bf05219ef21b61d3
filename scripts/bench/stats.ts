/** Latency figures and their printing: every figure next to its baseline, as a ratio. */

export interface Sample {
  /** Milliseconds from the moment the request was due (open loop) to its answer. */
  latencyMs: number;
  /** HTTP status, or 0 when no answer came (connection refused, timeout). */
  status: number;
  retryAfter: boolean;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Answers by status, e.g. { 201: 5990, 503: 10 }. */
  statuses: Record<number, number>;
  /** 5xx other than 503, and no answer at all. */
  errors: number;
  /** 429 and 503 answers, and how many of them named a Retry-After. */
  refused: number;
  refusedWithRetryAfter: number;
}

export function summarise(samples: Sample[], ok: (status: number) => boolean = (s) => s >= 200 && s < 300): LatencySummary {
  const statuses: Record<number, number> = {};
  for (const s of samples) statuses[s.status] = (statuses[s.status] ?? 0) + 1;
  const refusedSamples = samples.filter((s) => s.status === 429 || s.status === 503);
  const latencies = samples.map((s) => s.latencyMs);
  return {
    count: samples.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length ? Math.max(...latencies) : Number.NaN,
    statuses,
    errors: samples.filter((s) => !ok(s.status) && s.status !== 429 && s.status !== 503).length,
    refused: refusedSamples.length,
    refusedWithRetryAfter: refusedSamples.filter((s) => s.retryAfter).length,
  };
}

export const ms = (v: number) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : 'n/a');
export const ratio = (v: number, baseline: number) => (baseline > 0 && Number.isFinite(v) ? `${(v / baseline).toFixed(2)}×` : 'n/a');
export const statusList = (s: Record<number, number>) =>
  Object.entries(s)
    .map(([code, n]) => `${code === '0' ? 'no answer' : code}: ${n}`)
    .join(', ');

export interface Verdict {
  goal: string;
  figure: string;
  baseline: string;
  met: boolean;
}

export function printVerdicts(title: string, verdicts: Verdict[]): void {
  console.log(`\n${title}`);
  const width = Math.max(...verdicts.map((v) => v.goal.length));
  for (const v of verdicts) console.log(`  ${v.met ? 'MET    ' : 'NOT MET'}  ${v.goal.padEnd(width)}  ${v.figure}${v.baseline ? `   (baseline: ${v.baseline})` : ''}`);
}
