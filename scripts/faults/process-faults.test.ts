/**
 * The fast variants of the process fault cases (scripts/faults/cases.ts; full size: `npm run faults`):
 * the worker SIGKILLed during a burst of 20 reminders, the API SIGKILLed during 20 bookings.
 * About two minutes: the reminders fall due a minute after booking, and a send the dead worker held
 * is retried once Temporal's one-minute start-to-close timeout gives up on it. The timeouts leave
 * room for each case's own waits (FAST_SIZE.settleMs), which say what was still missing.
 */
import { after, before, test } from 'node:test';
import { type BenchStack } from '../bench/stack';
import { apiCrashCase, FAST_SIZE, workerCrashCase } from './cases';
import { assertMet, startFaultStack } from './fault-test-stack';

let stack: BenchStack;
const log = (line: string) => console.log(`[faults] ${line}`);

before(async () => {
  stack = await startFaultStack();
});

after(async () => {
  await stack?.stop();
});

test('the worker SIGKILLed during a burst of reminders: each arrives exactly once', { timeout: 420_000 }, async () => {
  assertMet(await workerCrashCase(stack, FAST_SIZE, log));
});

test('the API SIGKILLed during bookings: no booking is half-made', { timeout: 240_000 }, async () => {
  assertMet(await apiCrashCase(stack, FAST_SIZE, log));
});
