/**
 * The delivery workflow's decisions on Temporal's time-skipping test server, with in-memory
 * activities standing in for providers: fallbacks, permanent errors, channel chains, circuits,
 * rate limits, the pauses of an outage and the message's deadline. Provider adapters and the real activities are tested against local peers elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { setTimeout } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities } from '../../activities';
import { type DeliveryPlan, type DeliveryStep, type MessageDeliveryResult, messageDeliveryStateQuery } from '../../domain/message-delivery';
import { type Channel, type DeliveryErrorKind, isPermanent } from '../../domain/messaging';
import { TASK_QUEUES } from '../../domain/temporal';
import { bundleWorkflows, createTimeSkippingEnv } from '../../test/support/temporal';
import { messageDeliveryWorkflow } from './message-delivery';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let client: Client;

before(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
  client = new Client({ connection: env.connection, namespace: env.namespace });
});
after(async () => env?.teardown());

type Behaviour = 'ok' | DeliveryErrorKind;
const DAY_MS = 24 * 3_600_000;
/**
 * Temporal's clock as an activity sees it: the test server's, which skips ahead (and jumps years
 * once a workflow is done, so each deadline is taken from it right before the workflow starts).
 */
const serverNow = () => Context.current().info.currentAttemptScheduledTimestampMs;

/** Providers whose answers are scripted per call, and a record of every call with the workflow's clock. */
class FakeProviders {
  readonly calls: string[] = [];
  readonly callTimes: number[] = [];
  readonly finished: MessageDeliveryResult[] = [];
  readonly retrying: number[] = [];
  /** Entry label → when its circuit lets probes through again. */
  readonly openCircuits = new Map<string, number>();
  /** The test server's time when the workflow starts (deliverWith sets it). */
  startedAtMs = 0;
  constructor(
    private readonly steps: DeliveryStep[],
    private readonly script: Record<string, Behaviour[]>,
    private readonly planExtras: Partial<DeliveryPlan> = {},
  ) {}

  activities(): Partial<Activities> {
    return {
      prepareDelivery: async () => ({ steps: this.steps, skipped: [], suppressed: false, deadlineMs: this.startedAtMs + 365 * DAY_MS, roundsBefore: 0, ...this.planExtras }),
      sendThroughProvider: async ({ channel, entry }) => {
        const now = serverNow();
        const reopensAtMs = this.openCircuits.get(`${channel}/${entry.label}`);
        if (reopensAtMs !== undefined && now < reopensAtMs) return { outcome: 'circuit-open', reopensAtMs };
        const key = `${channel}/${entry.label}`;
        this.calls.push(key);
        this.callTimes.push(now);
        const behaviour = this.script[key]?.shift() ?? 'ok';
        if (behaviour === 'ok') return { outcome: 'accepted', providerMessageId: `${key}-id` };
        throw ApplicationFailure.create({ type: behaviour, message: `${key} failed`, details: [`code-${behaviour}`], nonRetryable: isPermanent(behaviour) });
      },
      markMessageRetrying: async ({ nextAttemptAtMs }) => {
        this.retrying.push(nextAttemptAtMs);
      },
      finishMessage: async ({ result }) => {
        this.finished.push(result);
      },
    };
  }
}

/** A step whose entries are named by label; `smtp:Gmail backup` is an smtp entry labelled "Gmail backup". */
const step = (channel: Channel, entries: string[], retryAttempts = 2): DeliveryStep => ({
  channel,
  providers: entries.map((e) => {
    const [provider, label = provider] = e.split(':') as [string, string?];
    return { entryId: `id-${label}`, label, provider, source: 'clinic' as const };
  }),
  retryAttempts,
  limits: {},
});

let seq = 0;
async function deliverWith(fake: FakeProviders | Partial<Activities>, during?: (handle: WorkflowHandle<typeof messageDeliveryWorkflow>) => Promise<void>) {
  if (fake instanceof FakeProviders) fake.startedAtMs = (await env.currentTimeMs()) as number;
  const activities = fake instanceof FakeProviders ? fake.activities() : fake;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(messageDeliveryWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `message/clinic/m-${++seq}`, args: [{ clinicId: 'clinic', messageId: `m-${seq}` }] });
    await during?.(handle);
    // env.client skips time while it waits, so retry backoffs and pauses pass instantly.
    const result = await handle.result();
    return { result, handle };
  });
}
const deliver = async (fake: FakeProviders | Partial<Activities>) => (await deliverWith(fake)).result;

/** The workflow's own timers (the pauses between runs of the chain), in ms, from its history. */
async function timersOf(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const t = e.timerStartedEventAttributes?.startToFireTimeout;
    return t ? [Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6)] : [];
  });
}

describe('provider and channel fallback', () => {
  test('a primary that keeps failing transiently is retried, then the fallback delivers', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'], 3)], { 'email/smtp': ['TRANSIENT', 'TRANSIENT', 'TRANSIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/smtp', 'email/smtp', 'email/smtp', 'email/ses']);
    assert.deepEqual([result.status, result.channel, result.provider, result.label], ['DELIVERED', 'email', 'ses', 'ses']);
    assert.deepEqual(result.failures, [{ channel: 'email', entryId: 'id-smtp', label: 'smtp', provider: 'smtp', round: 1, kind: 'TRANSIENT', code: 'code-TRANSIENT' }]);
    assert.deepEqual(fake.finished, [result], 'the outcome is recorded');
  });

  test('a transient error that clears on retry needs no fallback', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'], 3)], { 'email/smtp': ['TRANSIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/smtp', 'email/smtp']);
    assert.equal(result.provider, 'smtp');
  });

  test('two entries of the same provider type: the primary account refuses, the backup account delivers', async () => {
    const fake = new FakeProviders([step('email', ['smtp:SendGrid relay', 'smtp:Gmail backup'], 1)], { 'email/SendGrid relay': ['AUTH'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/SendGrid relay', 'email/Gmail backup']);
    assert.deepEqual([result.status, result.provider, result.entryId, result.label], ['DELIVERED', 'smtp', 'id-Gmail backup', 'Gmail backup']);
    assert.deepEqual(result.failures.map((f) => `${f.label}:${f.kind}`), ['SendGrid relay:AUTH']);
  });

  test('a permanent error is not retried: the next provider is tried at once', async () => {
    const fake = new FakeProviders([step('sms', ['twilio', 'vonage'], 5)], { 'sms/twilio': ['AUTH'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['sms/twilio', 'sms/vonage']);
    assert.equal(result.provider, 'vonage');
  });

  test('when every email provider is down the message goes out by SMS', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'], 2), step('sms', ['twilio'])], {
      'email/smtp': ['TRANSIENT', 'TRANSIENT'],
      'email/ses': ['TRANSIENT', 'TRANSIENT'],
    });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/smtp', 'email/smtp', 'email/ses', 'email/ses', 'sms/twilio']);
    assert.deepEqual([result.status, result.channel], ['DELIVERED', 'sms']);
    assert.deepEqual(fake.retrying, [], 'a fallback delivered in the first run: no pause');
  });

  test("an invalid address skips the channel's other providers (they cannot reach it either)", async () => {
    const fake = new FakeProviders([step('whatsapp', ['meta', 'twilio']), step('email', ['smtp'])], { 'whatsapp/meta': ['INVALID_RECIPIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['whatsapp/meta', 'email/smtp']);
    assert.equal(result.channel, 'email');
  });

  test('only permanent failures end it early: FAILED with every reason, no pause, no second run', async () => {
    const fake = new FakeProviders([step('sms', ['twilio'], 1), step('email', ['smtp', 'ses'], 1)], { 'sms/twilio': ['INVALID_RECIPIENT'], 'email/smtp': ['AUTH'], 'email/ses': ['AUTH'] });
    const { result, handle } = await deliverWith(fake);
    assert.equal(result.status, 'FAILED');
    assert.deepEqual(result.failures.map((f) => `${f.channel}/${f.provider}:${f.kind}`), ['sms/twilio:INVALID_RECIPIENT', 'email/smtp:AUTH', 'email/ses:AUTH']);
    assert.deepEqual(await timersOf(handle), []);
    assert.equal(result.rounds, 1);
  });

  test('a suppressed recipient gets nothing and the message ends SUPPRESSED', async () => {
    const fake = new FakeProviders([], {}, { suppressed: true, skipped: [{ channel: 'email', kind: 'SUPPRESSED' }] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, []);
    assert.equal(result.status, 'SUPPRESSED');
  });
});

describe('outages: the message waits and runs its chain again', () => {
  test('every route failing for now: RETRYING with growing pauses (30 s, 2 min, 10 min), then DELIVERED', async () => {
    // Three runs of one try each fail; the fourth run delivers.
    const fake = new FakeProviders([step('email', ['smtp'], 1)], { 'email/smtp': ['TRANSIENT', 'TRANSIENT', 'TRANSIENT'] });
    const { result, handle } = await deliverWith(fake);
    assert.deepEqual([result.status, result.rounds], ['DELIVERED', 4]);
    assert.deepEqual(await timersOf(handle), [30_000, 120_000, 600_000], 'the pauses, read from history');
    const gaps = fake.callTimes.slice(1).map((t, i) => t - fake.callTimes[i]!);
    assert.ok(gaps.every((g, i) => g >= [30_000, 120_000, 600_000][i]!), `tries spaced by the pauses: ${gaps.join(', ')}`);
    assert.equal(fake.retrying.length, 3, 'RETRYING recorded with its next try before each pause');
    assert.deepEqual(result.failures.map((f) => f.round), [1, 2, 3]);
  });

  test('the workflow query shows RETRYING with the next try time while it waits', async () => {
    const fake = new FakeProviders([step('sms', ['twilio'], 1)], { 'sms/twilio': ['TRANSIENT'] });
    fake.startedAtMs = (await env.currentTimeMs()) as number;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities: fake.activities() });
    await worker.runUntil(async () => {
      // A plain client does not skip time: the workflow stays in its 30-second pause while we look.
      const handle = await client.workflow.start(messageDeliveryWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `message/clinic/q-${++seq}`, args: [{ clinicId: 'clinic', messageId: `q-${seq}` }] });
      let state = await handle.query(messageDeliveryStateQuery);
      for (let i = 0; state.stage !== 'retrying' && i < 100; i++) {
        await setTimeout(50);
        state = await handle.query(messageDeliveryStateQuery);
      }
      assert.equal(state.stage, 'retrying');
      if (state.stage !== 'retrying') return;
      assert.equal(state.round, 1);
      assert.equal(state.nextAttemptAtMs, fake.retrying[0]);
      assert.deepEqual(state.failures.map((f) => f.kind), ['TRANSIENT']);
      assert.equal((await env.client.workflow.getHandle(handle.workflowId).result()).status, 'DELIVERED');
    });
  });

  test('every circuit open: no try and no FAILED; it sleeps until the earliest cooldown ends, then probes and delivers', async () => {
    // The cooldowns are set on the server's clock, which the workflow and the activities read.
    const circuits = new FakeProviders([step('email', ['smtp', 'ses']), step('sms', ['twilio'])], {});
    const now = (await env.currentTimeMs()) as number;
    circuits.openCircuits.set('email/smtp', now + 240_000);
    circuits.openCircuits.set('email/ses', now + 90_000);
    circuits.openCircuits.set('sms/twilio', now + 300_000);
    const held = await deliverWith(circuits);
    assert.deepEqual([held.result.status, held.result.channel, held.result.label], ['DELIVERED', 'email', 'ses']);
    assert.deepEqual(circuits.calls, ['email/ses'], 'nothing was tried while every circuit was open');
    const [pause] = await timersOf(held.handle);
    assert.ok(pause! > 60_000 && pause! <= 90_000, `slept until the earliest cooldown (about 90 s), not the 30 s pause: ${pause}`);
    // The first run found all three open; the second found the primary still cooling down and moved on.
    assert.deepEqual(held.result.failures.map((f) => `${f.round}:${f.label}:${f.kind}`), ['1:smtp:CIRCUIT_OPEN', '1:ses:CIRCUIT_OPEN', '1:twilio:CIRCUIT_OPEN', '2:smtp:CIRCUIT_OPEN']);
  });

  test('an open circuit moves the send to the next entry at once', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'])], {});
    fake.openCircuits.set('email/smtp', Number.MAX_SAFE_INTEGER);
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/ses']);
    assert.deepEqual(result.failures, [{ channel: 'email', entryId: 'id-smtp', label: 'smtp', provider: 'smtp', round: 1, kind: 'CIRCUIT_OPEN' }]);
  });
});

describe('deadlines', () => {
  test('a reminder whose appointment starts before the outage ends is EXPIRED at the start time, and never sent afterwards', async () => {
    const startsInMs = 20 * 60_000;
    const now = (await env.currentTimeMs()) as number;
    const fake = new FakeProviders([step('email', ['smtp'], 1)], { 'email/smtp': Array(10).fill('TRANSIENT') }, { deadlineMs: now + startsInMs });
    const { result, handle } = await deliverWith(fake);
    assert.equal(result.status, 'EXPIRED');
    assert.ok(fake.callTimes.every((t) => t < now + startsInMs), 'no try at or after the deadline');
    assert.equal(fake.calls.length, 4, 'tries at 0, 30 s, 2.5 min and 12.5 min; the next (42.5 min) would be past the start');
    const timers = await timersOf(handle);
    assert.deepEqual(timers.slice(0, 2), [30_000, 120_000]);
    assert.ok(fake.finished.length === 1 && fake.finished[0]!.status === 'EXPIRED');
  });

  test('a 72-hour deadline is reached while the provider stays down: hourly pauses after 30 min, then EXPIRED', async () => {
    const now = (await env.currentTimeMs()) as number;
    const fake = new FakeProviders([step('sms', ['twilio'], 1)], { 'sms/twilio': Array(200).fill('TRANSIENT') }, { deadlineMs: now + 72 * 3_600_000 });
    const { result, handle } = await deliverWith(fake);
    assert.equal(result.status, 'EXPIRED');
    const timers = await timersOf(handle);
    assert.deepEqual(timers.slice(0, 5), [30_000, 120_000, 600_000, 1_800_000, 3_600_000]);
    assert.ok(timers.slice(4, -1).every((t) => t === 3_600_000), 'hourly from then on');
    // 42.5 minutes of growing pauses, 71 hourly ones, and the wait for the deadline when no run fits before it.
    assert.ok(timers.length >= 75 && timers.length <= 77, `about 76 pauses in 72 h: ${timers.length}`);
    assert.ok(fake.callTimes.every((t) => t < now + 72 * 3_600_000));
  });
});

describe('rate limits', () => {
  test("a burst above the clinic's per-minute limit is delivered in full, spread over the following minutes", async () => {
    // An in-memory limiter with the real rule: 2 sends per minute window of the workflow clock.
    const windows = new Map<number, number>();
    const sentAt: number[] = [];
    const deadlineMs = ((await env.currentTimeMs()) as number) + DAY_MS;
    const activities: Partial<Activities> = {
      ...new FakeProviders([], {}).activities(),
      prepareDelivery: async () => ({ steps: [{ ...step('sms', ['twilio']), limits: { perMinute: 2 } }], skipped: [], suppressed: false, deadlineMs, roundsBefore: 0 }),
      sendThroughProvider: async () => {
        const at = serverNow();
        const start = Math.floor(at / 60_000) * 60_000;
        const used = windows.get(start) ?? 0;
        if (used >= 2) return { outcome: 'rate-limited', waitMs: start + 60_000 - at };
        windows.set(start, used + 1);
        sentAt.push(at);
        return { outcome: 'accepted', providerMessageId: `sms-${at}` };
      },
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
    const results = await worker.runUntil(async () => {
      const handles = await Promise.all(
        Array.from({ length: 5 }, (_, i) => client.workflow.start(messageDeliveryWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `message/clinic/burst-${i}`, args: [{ clinicId: 'clinic', messageId: `burst-${i}` }] })),
      );
      // Simulated minutes pass here in milliseconds; the workflows sleep until their window opens.
      await env.sleep('5 minutes');
      return Promise.all(handles.map((h) => h.result()));
    });
    assert.deepEqual(results.map((r) => r.status), Array(5).fill('DELIVERED'), 'none dropped');
    const perWindow = [...windows.values()];
    assert.ok(perWindow.every((n) => n <= 2), `never more than 2 a minute: ${perWindow.join(',')}`);
    assert.ok(windows.size >= 3, 'five sends need at least three minutes');
    assert.ok(Math.max(...sentAt) - Math.min(...sentAt) >= 60_000);
  });
});
