/**
 * The delivery workflow's decisions on Temporal's time-skipping test server, with in-memory
 * activities standing in for providers: fallbacks, permanent errors, channel chains, circuits
 * and rate limits. Provider adapters and the real activities are tested against local peers elsewhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities } from '../../activities';
import { type DeliveryPlan, type DeliveryStep, type MessageDeliveryResult } from '../../domain/message-delivery';
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

/** Providers whose answers are scripted per call, and a record of every call. */
class FakeProviders {
  readonly calls: string[] = [];
  readonly finished: MessageDeliveryResult[] = [];
  readonly openCircuits = new Set<string>();
  constructor(
    private readonly steps: DeliveryStep[],
    private readonly script: Record<string, Behaviour[]>,
    private readonly planExtras: Partial<DeliveryPlan> = {},
  ) {}

  activities(): Partial<Activities> {
    return {
      prepareDelivery: async () => ({ steps: this.steps, skipped: [], suppressed: false, ...this.planExtras }),
      circuitAllows: async ({ channel, provider }) => !this.openCircuits.has(`${channel}/${provider}`),
      recordCircuit: async () => undefined,
      reserveSendSlot: async () => ({ waitMs: 0 }),
      sendThroughProvider: async ({ channel, provider }) => {
        const key = `${channel}/${provider}`;
        this.calls.push(key);
        const behaviour = this.script[key]?.shift() ?? 'ok';
        if (behaviour === 'ok') return { providerMessageId: `${key}-id` };
        throw ApplicationFailure.create({ type: behaviour, message: `${key} failed`, details: [`code-${behaviour}`], nonRetryable: isPermanent(behaviour) });
      },
      finishMessage: async ({ result }) => {
        this.finished.push(result);
      },
    };
  }
}

const step = (channel: Channel, providers: string[], retryAttempts = 2): DeliveryStep => ({
  channel,
  providers: providers.map((provider) => ({ provider, source: 'clinic' as const })),
  retryAttempts,
  limits: {},
});

let seq = 0;
async function deliver(fake: FakeProviders | Partial<Activities>): Promise<MessageDeliveryResult> {
  const activities = fake instanceof FakeProviders ? fake.activities() : fake;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
  // env.client skips time while it waits, so retry backoffs pass instantly.
  return worker.runUntil(
    env.client.workflow.execute(messageDeliveryWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `message/clinic/m-${++seq}`, args: [{ clinicId: 'clinic', messageId: `m-${seq}` }] }),
  );
}

describe('provider and channel fallback', () => {
  test('a primary that keeps failing transiently is retried, then the fallback delivers', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'], 3)], { 'email/smtp': ['TRANSIENT', 'TRANSIENT', 'TRANSIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/smtp', 'email/smtp', 'email/smtp', 'email/ses']);
    assert.deepEqual([result.status, result.channel, result.provider], ['DELIVERED', 'email', 'ses']);
    assert.deepEqual(result.failures, [{ channel: 'email', provider: 'smtp', kind: 'TRANSIENT', code: 'code-TRANSIENT' }]);
    assert.deepEqual(fake.finished, [result], 'the outcome is recorded');
  });

  test('a transient error that clears on retry needs no fallback', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'], 3)], { 'email/smtp': ['TRANSIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/smtp', 'email/smtp']);
    assert.equal(result.provider, 'smtp');
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
  });

  test('an invalid address skips the channel\'s other providers (they cannot reach it either)', async () => {
    const fake = new FakeProviders([step('whatsapp', ['meta', 'twilio']), step('email', ['smtp'])], { 'whatsapp/meta': ['INVALID_RECIPIENT'] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['whatsapp/meta', 'email/smtp']);
    assert.equal(result.channel, 'email');
  });

  test('everything failing ends FAILED with every reason', async () => {
    const fake = new FakeProviders([step('sms', ['twilio'], 1), step('email', ['smtp'], 1)], { 'sms/twilio': ['REJECTED'], 'email/smtp': ['TRANSIENT'] });
    const result = await deliver(fake);
    assert.equal(result.status, 'FAILED');
    assert.deepEqual(result.failures.map((f) => `${f.channel}/${f.provider}:${f.kind}`), ['sms/twilio:REJECTED', 'email/smtp:TRANSIENT']);
  });

  test('a provider whose circuit is open is skipped without a call', async () => {
    const fake = new FakeProviders([step('email', ['smtp', 'ses'])], {});
    fake.openCircuits.add('email/smtp');
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, ['email/ses']);
    assert.deepEqual(result.failures, [{ channel: 'email', provider: 'smtp', kind: 'CIRCUIT_OPEN' }]);
  });

  test('a suppressed recipient gets nothing and the message ends SUPPRESSED', async () => {
    const fake = new FakeProviders([], {}, { suppressed: true, skipped: [{ channel: 'email', kind: 'SUPPRESSED' }] });
    const result = await deliver(fake);
    assert.deepEqual(fake.calls, []);
    assert.equal(result.status, 'SUPPRESSED');
  });
});

describe('rate limits', () => {
  test('a burst above the clinic\'s per-minute limit is delivered in full, spread over the following minutes', async () => {
    // An in-memory limiter with the real rule: 2 sends per minute window of the workflow clock.
    const windows = new Map<number, number>();
    const sentAt: number[] = [];
    const activities: Partial<Activities> = {
      ...new FakeProviders([], {}).activities(),
      prepareDelivery: async () => ({ steps: [{ ...step('sms', ['twilio']), limits: { perMinute: 2 } }], skipped: [], suppressed: false }),
      reserveSendSlot: async ({ at }) => {
        const start = Math.floor(at / 60_000) * 60_000;
        const used = windows.get(start) ?? 0;
        if (used >= 2) return { waitMs: start + 60_000 - at };
        windows.set(start, used + 1);
        sentAt.push(at);
        return { waitMs: 0 };
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
