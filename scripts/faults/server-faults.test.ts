/**
 * The fast variants of the server fault cases (scripts/faults/cases.ts; full size: `npm run faults`):
 * 50 messages and 10 appointments in flight while the Temporal dev server is SIGKILLed and started
 * again on its SQLite file, then while PostgreSQL is restarted. About four minutes.
 */
import { after, before, test } from 'node:test';
import { type BenchStack } from '../bench/stack';
import { FAST_SIZE, postgresRestartCase, temporalCrashCase } from './cases';
import { assertMet, startFaultStack } from './fault-test-stack';

let stack: BenchStack;
const log = (line: string) => console.log(`[faults] ${line}`);

before(async () => {
  stack = await startFaultStack();
});

after(async () => {
  await stack?.stop();
});

test('the Temporal dev server SIGKILLed with messages and bookings in flight: every workflow completes, nothing lost or doubled', { timeout: 300_000 }, async () => {
  assertMet(await temporalCrashCase(stack, FAST_SIZE, log));
});

test('PostgreSQL restarted with messages and bookings in flight: every workflow completes, nothing lost or doubled beyond the documented window', { timeout: 300_000 }, async () => {
  assertMet(await postgresRestartCase(stack, FAST_SIZE, log));
});
