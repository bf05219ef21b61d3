import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelsByPreference } from './message-delivery';

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
