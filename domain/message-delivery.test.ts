import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelsByPreference, nextRunAtMs, retryPauseMs, roundVerdict } from './message-delivery';

test("the patient's preferred channels come first, in the patient's order; the sender's order follows", () => {
  const patient = { preferredChannels: ['push' as const, 'email' as const], optedOutChannels: [] };
  assert.deepEqual(channelsByPreference(['whatsapp', 'sms', 'email', 'push'], patient), { ordered: ['push', 'email', 'whatsapp', 'sms'], optedOut: [] });
});

test('a preference never adds a channel the message does not allow', () => {
  const patient = { preferredChannels: ['push' as const], optedOutChannels: [] };
  assert.deepEqual(channelsByPreference(['sms', 'email'], patient).ordered, ['sms', 'email']);
});

test('opted-out channels are left out and reported', () => {
  const patient = { preferredChannels: [], optedOutChannels: ['sms' as const] };
  assert.deepEqual(channelsByPreference(['whatsapp', 'sms', 'email'], patient), { ordered: ['whatsapp', 'email'], optedOut: ['sms'] });
});

test('a message to an address (no patient) keeps its channels as sent', () => {
  assert.deepEqual(channelsByPreference(['sms', 'email'], null), { ordered: ['sms', 'email'], optedOut: [] });
});

test('the pauses between runs grow 30 s, 2 min, 10 min, 30 min, then stay hourly', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 40].map(retryPauseMs), [30_000, 120_000, 600_000, 1_800_000, 3_600_000, 3_600_000, 3_600_000]);
});

test('only permanent failures of every route end a message; a transient one or an open circuit keeps it waiting', () => {
  const entry = { channel: 'email' as const, entryId: 'e1' };
  assert.equal(roundVerdict([{ ...entry, kind: 'AUTH' }, { ...entry, entryId: 'e2', kind: 'INVALID_RECIPIENT' }]), 'final');
  assert.equal(roundVerdict([{ ...entry, kind: 'AUTH' }, { ...entry, entryId: 'e2', kind: 'TRANSIENT' }]), 'retry');
  assert.equal(roundVerdict([{ ...entry, kind: 'CIRCUIT_OPEN' }]), 'retry');
  assert.equal(roundVerdict([{ channel: 'sms', kind: 'NO_ADDRESS' }]), 'final', 'nothing to try at all');
});

test('the next run: after the pause, or when every circuit is open at the earliest reopening; none past the deadline', () => {
  const nowMs = 1_000_000;
  assert.equal(nextRunAtMs({ nowMs, failedRounds: 1, deadlineMs: nowMs + 3_600_000, allCircuitsOpen: false }), nowMs + 30_000);
  assert.equal(nextRunAtMs({ nowMs, failedRounds: 1, deadlineMs: nowMs + 3_600_000, allCircuitsOpen: true, earliestReopenMs: nowMs + 200_000 }), nowMs + 200_000);
  assert.equal(nextRunAtMs({ nowMs, failedRounds: 1, deadlineMs: nowMs + 3_600_000, allCircuitsOpen: true, earliestReopenMs: nowMs - 5 }), nowMs + 1_000, 'never in the past');
  assert.equal(nextRunAtMs({ nowMs, failedRounds: 3, deadlineMs: nowMs + 60_000, allCircuitsOpen: false }), null, 'the 10-minute pause ends past the deadline');
});
