/**
 * The channel test workflow on Temporal's time-skipping test server with in-memory activities:
 * verification answers come back as given, and the test message always goes out through the
 * delivery workflow as a child, whatever the verification said.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities } from '../../activities';
import { type ChannelTestResult, type ProviderVerification } from '../../domain/channel-test';
import { type MessageDeliveryResult } from '../../domain/message-delivery';
import { channelTestStart, SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '../../domain/temporal';
import { FAKE_SMTP_ENTRY, fakeDelivery } from '../../test/support/fake-delivery';
import { bundleWorkflows, createTimeSkippingEnv } from '../../test/support/temporal';
import { channelTestWorkflow } from './channel-test';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

before(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
});
after(async () => env?.teardown());

/** Activities for both workflows: a scripted verification, and an SMTP provider that accepts or refuses. */
function fakeActivities(verify: Activities['verifyChannelProviders'], smtpAccepts: boolean) {
  const sent: string[] = [];
  const finished: MessageDeliveryResult[] = [];
  const activities: Partial<Activities> = {
    verifyChannelProviders: verify,
    ...fakeDelivery({
      onSend: ({ messageId, entry }) => sent.push(`${messageId}/${entry.provider}`),
      onFinish: (result) => finished.push(result),
      ...(smtpAccepts ? {} : { refuse: () => ApplicationFailure.create({ type: 'AUTH', message: 'smtp refused the credentials', details: ['smtp:535'], nonRetryable: true }) }),
    }),
  };
  return { activities, sent, finished };
}

let seq = 0;
async function runTest(activities: Partial<Activities>): Promise<{ result: ChannelTestResult; messageId: string }> {
  const messageId = `m-${++seq}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
  const result = await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(channelTestWorkflow, channelTestStart('clinic-1', 'email', messageId));
    return handle.result();
  });
  return { result, messageId };
}

describe('channel test workflow', () => {
  test('returns each provider\'s verification as the activity gave it, and delivers the test message through a child delivery workflow', async () => {
    const verification: ProviderVerification[] = [
      { ...FAKE_SMTP_ENTRY, ok: true },
      { entryId: 'global:ses:0', label: 'platform ses', provider: 'ses', source: 'global', ok: false, kind: 'TRANSIENT', code: 'http:503' },
    ];
    const asked: Array<{ clinicId: string; channel: string }> = [];
    const fake = fakeActivities(async (input) => {
      asked.push(input);
      return verification;
    }, true);
    const { result, messageId } = await runTest(fake.activities);

    assert.deepEqual(asked, [{ clinicId: 'clinic-1', channel: 'email' }]);
    assert.deepEqual(result, { messageId, verification, delivery: { status: 'DELIVERED', channel: 'email', provider: 'smtp', label: 'smtp', failures: [] } });
    assert.deepEqual(fake.sent, [`${messageId}/smtp`], 'the test message went out once');
    assert.equal(fake.finished.length, 1, 'the delivery log got its outcome');

    const child = await env.client.workflow.getHandle(workflowIds.messageDelivery('clinic-1', messageId)).describe();
    assert.equal(child.type, 'messageDeliveryWorkflow');
    assert.equal(child.parentExecution?.workflowId, workflowIds.channelTest('clinic-1', messageId));
    assert.equal(child.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ClinicId), 'clinic-1');
    const parent = await env.client.workflow.getHandle(workflowIds.channelTest('clinic-1', messageId)).describe();
    assert.equal(parent.typedSearchAttributes.get(SEARCH_ATTRIBUTES.WorkflowKind), 'channel-test');
  });

  test('a failed verification still attempts the delivery, and both failures are reported', async () => {
    const verification: ProviderVerification[] = [{ ...FAKE_SMTP_ENTRY, ok: false, kind: 'AUTH', code: 'smtp:535' }];
    const fake = fakeActivities(async () => verification, false);
    const { result, messageId } = await runTest(fake.activities);

    assert.deepEqual(fake.sent, [`${messageId}/smtp`]);
    assert.deepEqual(result.verification, verification);
    assert.deepEqual(result.delivery, { status: 'FAILED', failures: [{ channel: 'email', entryId: 'smtp', label: 'smtp', provider: 'smtp', round: 1, kind: 'AUTH', code: 'smtp:535' }] });
  });

  test('when the verification cannot run at all, the delivery still runs and the error is named', async () => {
    const fake = fakeActivities(async () => {
      throw ApplicationFailure.create({ type: 'DATABASE_DOWN', message: 'no database', nonRetryable: true });
    }, true);
    const { result } = await runTest(fake.activities);

    assert.deepEqual(result.verification, []);
    assert.equal(result.verificationError, 'DATABASE_DOWN');
    assert.equal(result.delivery.status, 'DELIVERED');
  });
});
