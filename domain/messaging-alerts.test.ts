import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { alertChannels, type ChannelSnapshot, type EntrySnapshot, type MessagingSnapshot, planMessagingAlerts } from './messaging-alerts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const MIN = 60_000;
const entry = (over: Partial<EntrySnapshot> = {}): EntrySnapshot => ({ channel: 'email', entryId: 'e1', label: 'Relay', global: false, circuit: 'CLOSED', latest: { ok: true, errorKind: null }, ...over });
const channel = (over: Partial<ChannelSnapshot> = {}): ChannelSnapshot => ({ channel: 'email', waiting: 0, lastAcceptedAtMs: NOW - MIN, sent24h: 0, bounced24h: 0, perDayLimit: null, todayCount: 0, ...over });
const snap = (over: Partial<MessagingSnapshot> = {}): MessagingSnapshot => ({ nowMs: NOW, entries: [entry()], channels: [channel()], open: [], ...over });
const kinds = (s: MessagingSnapshot) => planMessagingAlerts(s).raise.map((r) => `${r.kind}:${r.entryId}`);

describe('messaging incidents', () => {
  test('a healthy clinic has none', () => {
    assert.deepEqual(planMessagingAlerts(snap()), { raise: [], resolve: [] });
  });

  test('an open or half-open circuit is an incident of its entry', () => {
    assert.deepEqual(kinds(snap({ entries: [entry({ circuit: 'OPEN' }), entry({ entryId: 'e2', circuit: 'HALF_OPEN' })] })), ['CIRCUIT_OPEN:e1', 'CIRCUIT_OPEN:e2']);
  });

  test('credentials are rejected only while the newest probe or attempt failed with AUTH', () => {
    assert.deepEqual(kinds(snap({ entries: [entry({ latest: { ok: false, errorKind: 'AUTH' } })] })), ['CREDENTIALS_REJECTED:e1']);
    assert.deepEqual(kinds(snap({ entries: [entry({ latest: { ok: false, errorKind: 'TRANSIENT' } })] })), []);
    assert.deepEqual(kinds(snap({ entries: [entry({ latest: null })] })), []);
  });

  test('a channel is silent when messages wait and nothing was accepted for 10 minutes', () => {
    assert.deepEqual(kinds(snap({ channels: [channel({ waiting: 3, lastAcceptedAtMs: NOW - 10 * MIN })] })), ['CHANNEL_SILENT:']);
    assert.deepEqual(kinds(snap({ channels: [channel({ waiting: 3, lastAcceptedAtMs: null })] })), ['CHANNEL_SILENT:']);
    assert.deepEqual(kinds(snap({ channels: [channel({ waiting: 3, lastAcceptedAtMs: NOW - 9 * MIN })] })), []);
    assert.deepEqual(kinds(snap({ channels: [channel({ waiting: 0, lastAcceptedAtMs: null })] })), []);
  });

  test('bounce rate counts above 10 % once 20 messages went out', () => {
    assert.deepEqual(kinds(snap({ channels: [channel({ sent24h: 20, bounced24h: 3 })] })), ['BOUNCE_RATE:']);
    assert.deepEqual(kinds(snap({ channels: [channel({ sent24h: 20, bounced24h: 2 })] })), []);
    assert.deepEqual(kinds(snap({ channels: [channel({ sent24h: 19, bounced24h: 10 })] })), []);
    const [raised] = planMessagingAlerts(snap({ channels: [channel({ sent24h: 40, bounced24h: 6 })] })).raise;
    assert.deepEqual(raised?.details, { sent: 40, bounced: 6, rate: 0.15 });
  });

  test('the daily window warns at 80 % of the limit', () => {
    assert.deepEqual(kinds(snap({ channels: [channel({ perDayLimit: 100, todayCount: 80 })] })), ['RATE_LIMIT_NEAR:']);
    assert.deepEqual(kinds(snap({ channels: [channel({ perDayLimit: 100, todayCount: 79 })] })), []);
    assert.deepEqual(kinds(snap({ channels: [channel({ perDayLimit: null, todayCount: 10_000 })] })), []);
  });
});

describe('one alert per incident', () => {
  const open = [{ id: 'a1', kind: 'CIRCUIT_OPEN' as const, channel: 'email' as const, entryId: 'e1' }];

  test('an incident that already has an open alert raises nothing', () => {
    assert.deepEqual(planMessagingAlerts(snap({ entries: [entry({ circuit: 'OPEN' })], open })), { raise: [], resolve: [] });
  });

  test('an open alert whose condition cleared is resolved', () => {
    assert.deepEqual(planMessagingAlerts(snap({ open })), { raise: [], resolve: ['a1'] });
  });

  test('an alert of an entry no longer serving is resolved', () => {
    assert.deepEqual(planMessagingAlerts(snap({ entries: [], open })).resolve, ['a1']);
  });
});

describe('where an alert goes', () => {
  test('an email incident goes by SMS first when the admin has a phone and the clinic has SMS', () => {
    assert.deepEqual(alertChannels('email', true, true), ['sms', 'email']);
    assert.deepEqual(alertChannels('email', true, false), ['email']);
    assert.deepEqual(alertChannels('email', false, true), ['email']);
  });

  test('any other incident goes by email, SMS as the fallback unless SMS is the failing one', () => {
    assert.deepEqual(alertChannels('whatsapp', true, true), ['email', 'sms']);
    assert.deepEqual(alertChannels('sms', true, true), ['email']);
  });
});
