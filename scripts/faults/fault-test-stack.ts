/**
 * For the fast fault tests inside `npm test`: a stack of their own (the shared Temporal and
 * PostgreSQL servers of the test run must not be killed), and each case's verdicts as one assertion
 * that prints every figure when it fails.
 */
import assert from 'node:assert/strict';
import { parseBenchSettings } from '../bench/settings';
import { type BenchStack, startBenchStack } from '../bench/stack';
import { type CaseResult } from './cases';

export async function startFaultStack(): Promise<BenchStack> {
  // The test run's own servers are named by TEMPORAL_ADDRESS / TEST_DATABASE_URL; BENCH_* are not set, so the stack starts its own.
  const { BENCH_DATABASE_URL: _db, BENCH_TEMPORAL_ADDRESS: _temporal, ...env } = process.env;
  return startBenchStack(parseBenchSettings(env), (line) => console.log(`[faults] ${line}`), { LOG_LEVEL: 'error' });
}

export function assertMet(result: CaseResult): void {
  const lines = result.verdicts.map((v) => `${v.met ? 'MET    ' : 'NOT MET'} ${v.goal}: ${v.figure}`);
  console.log(`${result.title}\n  ${lines.join('\n  ')}`);
  assert.deepEqual(
    result.verdicts.filter((v) => !v.met).map((v) => `${v.goal}: ${v.figure}`),
    [],
    `${result.title}\n  ${lines.join('\n  ')}`,
  );
}
