/**
 * The documentation deadline on Temporal's time-skipping test server with in-memory activities:
 * a 24-hour deadline passes in milliseconds. The reminder goes at half-time, the escalation once
 * when the time is up, and the documentationSigned signal ends the workflow.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities } from '../../activities';
import { type DocumentationNotice, documentationSigned, documentationStateQuery } from '../../domain/documentation';
import { documentationDeadlineStart, SEARCH_ATTRIBUTES, TASK_QUEUES } from '../../domain/temporal';
import { bundleWorkflows, createTimeSkippingEnv } from '../../test/support/temporal';
import { documentationDeadlineWorkflow } from './documentation-deadline';

const HOUR = 3_600_000;
/** Temporal's (skipped) clock, as the activity sees it: the process clock does not move with time skipping. */
const temporalNow = () => Context.current().info.currentAttemptScheduledTimestampMs;

/** A session completed "now" with a deadline `hours` later; notices recorded with the simulated time they went. */
class FakeSession {
  readonly notices: Array<{ notice: DocumentationNotice; at: number }> = [];
  documented = false;
  completedAt = 0;
  constructor(private readonly hours: number) {}

  activities(): Partial<Activities> {
    return {
      loadDocumentationTask: async ({ at }) => {
        this.completedAt = at; // the workflow's own clock
        return { dueAt: at + this.hours * HOUR, documented: this.documented };
      },
      // Returns no message ids: delivery is its own workflow, tested elsewhere.
      createDocumentationMessages: async ({ notice }) => {
        if (this.documented) return { documented: true, messageIds: [] };
        this.notices.push({ notice, at: temporalNow() });
        return { documented: false, messageIds: [] };
      },
    };
  }
}

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
/** A plain client: simulated time passes only through env.sleep. */
let client: Client;

before(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
  client = new Client({ connection: env.connection, namespace: env.namespace });
});
after(async () => {
  await env?.teardown();
});

const worker = (activities: Partial<Activities>) => Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
const start = (appointmentId: string) => client.workflow.start(documentationDeadlineWorkflow, documentationDeadlineStart('clinic-doc', appointmentId));

describe('documentation deadline', () => {
  test('signed before half-time: no reminder, no escalation, the signal ends it', async () => {
    const session = new FakeSession(24);
    const w = await worker(session.activities());
    const outcome = await w.runUntil(async () => {
      const handle = await start('appt-early');
      await env.sleep('6 hours');
      assert.equal((await handle.query(documentationStateQuery)).status, 'WAITING');
      await handle.signal(documentationSigned);
      return handle.result();
    });
    assert.equal(outcome, 'SIGNED');
    assert.deepEqual(session.notices, []);
  });

  test('the practitioner is reminded at half-time; the managers are told once after the deadline; a late signature ends it', async () => {
    const session = new FakeSession(24);
    const w = await worker(session.activities());
    const { outcome, states, attributes } = await w.runUntil(async () => {
      const handle = await start('appt-late');
      const states: string[] = [];
      await env.sleep('11 hours');
      states.push((await handle.query(documentationStateQuery)).status);
      await env.sleep('2 hours');
      states.push((await handle.query(documentationStateQuery)).status);
      await env.sleep('12 hours');
      states.push((await handle.query(documentationStateQuery)).status);
      await env.sleep('3 days');
      const d = await handle.describe();
      await handle.signal(documentationSigned);
      return {
        outcome: await handle.result(),
        states,
        attributes: { kind: d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.WorkflowKind), appointmentId: d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.AppointmentId) },
      };
    });
    assert.equal(outcome, 'SIGNED_LATE');
    assert.deepEqual(states, ['WAITING', 'REMINDED', 'ESCALATED']);
    assert.deepEqual(
      session.notices.map((n) => [n.notice, Math.round((n.at - session.completedAt) / HOUR)]),
      [
        ['reminder', 12],
        ['overdue', 24],
      ],
      'one reminder at half-time, one escalation at the deadline, none after',
    );
    assert.deepEqual(attributes, { kind: 'documentation-deadline', appointmentId: 'appt-late' });
  });

  test("the clinic's own deadline: 8 hours reminds at 4", async () => {
    const session = new FakeSession(8);
    const w = await worker(session.activities());
    await w.runUntil(async () => {
      const handle = await start('appt-short');
      await env.sleep('5 hours');
      await handle.signal(documentationSigned);
      assert.equal(await handle.result(), 'SIGNED');
    });
    assert.deepEqual(session.notices.map((n) => [n.notice, Math.round((n.at - session.completedAt) / HOUR)]), [['reminder', 4]]);
  });

  test('a signature whose signal was lost: the half-time check finds it, sends nothing and ends', async () => {
    const session = new FakeSession(24);
    const w = await worker(session.activities());
    const outcome = await w.runUntil(async () => {
      const handle = await start('appt-lost-signal');
      await env.sleep('2 hours');
      session.documented = true;
      await env.sleep('11 hours');
      return handle.result();
    });
    assert.equal(outcome, 'SIGNED');
    assert.deepEqual(session.notices, []);
  });

  test('a session already documented when the deadline starts ends at once', async () => {
    const session = new FakeSession(24);
    session.documented = true;
    const w = await worker(session.activities());
    const outcome = await w.runUntil(async () => (await start('appt-done')).result());
    assert.equal(outcome, 'SIGNED');
    assert.deepEqual(session.notices, []);
  });
});
