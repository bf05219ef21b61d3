import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PLANNED_READ_TTL_MS, PlannedReads } from './planned-reads';

test("a plan's read serves one try, only while fresh", () => {
  let now = 1_000;
  const reads = new PlannedReads<string>(() => now);
  reads.put('m1', 'message 1');
  assert.equal(reads.take('m1'), 'message 1');
  assert.equal(reads.take('m1'), undefined, 'taken once: a retry reads the database');

  reads.put('m2', 'message 2');
  now += PLANNED_READ_TTL_MS + 1;
  assert.equal(reads.take('m2'), undefined, 'too old: a try after a pause reads the database');
  assert.equal(reads.take('m2'), undefined, 'and the stale entry is gone');
});

test('a worker whose tries go elsewhere keeps a bounded number of reads', () => {
  const reads = new PlannedReads<number>();
  for (let i = 0; i < 6_000; i++) reads.put(`m${i}`, i);
  assert.equal(reads.take('m0'), undefined, 'the oldest were dropped');
  assert.equal(reads.take('m5999'), 5999);
});
