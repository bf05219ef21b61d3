/**
 * Licensing workflows on Temporal's time-skipping test server with in-memory activities: days
 * pass in milliseconds, and the alert bookkeeping is exercised across simulated days.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities } from '../../activities';
import { type AlertPlan, type AlertToRaise, type LicenseLimits, type LicenseUsageCounts, type OpenAlert } from '../../domain/licensing';
import { type ClinicForLicensing, licensingCheckStateQuery, licensingSweepProgressQuery } from '../../domain/licensing-workflow';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from '../../domain/temporal';
import { fakeDelivery } from '../../test/support/fake-delivery';
import { bundleWorkflows, createTimeSkippingEnv } from '../../test/support/temporal';
import { licensingCheckWorkflow } from './licensing-check';
import { licensingSweepWorkflow } from './licensing-sweep';

const LIMITS: LicenseLimits = { maxStaff: 5, maxPatients: 250, maxAppointmentsPerMonth: 600 };

/** A clinic whose usage is scripted per simulated day, and whose alerts live in memory. */
class FakeClinicStore {
  readonly recorded = new Map<string, LicenseUsageCounts>();
  readonly raised: Array<AlertToRaise & { date: string }> = [];
  /** Alert emails created, and deliveries that ran as child workflows. */
  readonly alertEmails: string[] = [];
  readonly delivered: string[] = [];
  open: OpenAlert[] = [];
  private firstDate?: string;

  constructor(
    readonly clinics: ClinicForLicensing[],
    private readonly staffByDay: number[],
    /**
     * Whether alert emails are handed back for delivery. The multi-day tests keep them in: the
     * Java test server's env.sleep does not return while abandoned delivery children are in
     * flight, so only the dedicated test below runs deliveries.
     */
    private readonly deliverAlerts = false,
  ) {}

  dayOf(date: string): number {
    this.firstDate ??= date;
    return Math.round((Date.parse(date) - Date.parse(this.firstDate)) / 86_400_000);
  }

  activities(): Partial<Activities> {
    return {
      listClinicsForLicensing: async ({ afterClinicId, limit }) => {
        const rest = afterClinicId ? this.clinics.filter((c) => c.id > afterClinicId) : this.clinics;
        return rest.slice(0, limit);
      },
      loadLicenseSnapshot: async ({ clinicId, date }) => ({
        clinicId,
        tierCode: 'S',
        limits: LIMITS,
        usage: { staff: this.staffByDay[this.dayOf(date)] ?? 0, patients: 10, appointments: 0 },
        openAlerts: [...this.open],
      }),
      recordLicenseUsage: async ({ date, usage }) => {
        this.recorded.set(date, usage);
      },
      applyLicenseAlertPlan: async ({ date, plan }: { date: string; plan: AlertPlan }) => {
        this.open = this.open.filter((o) => !plan.clear.some((c) => c.metric === o.metric && c.level === o.level));
        for (const a of plan.raise) {
          this.open.push({ metric: a.metric, level: a.level });
          this.raised.push({ ...a, date });
        }
        return { raised: plan.raise.length, cleared: plan.clear.length };
      },
      createLicenceAlertMessages: async ({ clinicId, date, raised }) => {
        const ids = raised.map((a) => `${clinicId}-${date}-${a.metric}-${a.level}`);
        this.alertEmails.push(...ids);
        return this.deliverAlerts ? ids : [];
      },
      // The alert emails' delivery workflows (children) run against these.
      ...fakeDelivery({ onSend: ({ messageId }) => this.delivered.push(messageId) }),
    };
  }
}

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
/**
 * A plain client: env.client skips time while it waits for a result, jumping to the server's next
 * timer (years ahead). Here simulated days pass only through env.sleep, one day at a time.
 */
let client: Client;

before(async () => {
  [env, bundle] = await Promise.all([createTimeSkippingEnv(), bundleWorkflows()]);
  client = new Client({ connection: env.connection, namespace: env.namespace });
});
after(async () => {
  await env?.teardown();
});

async function worker(activities: Partial<Activities>) {
  return Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
}

describe('daily licensing check over simulated days', () => {
  test('crossing 80 % raises exactly one warning, however many days usage stays there', async () => {
    // Staff of a 5-seat tier per day: 60 %, then 80 % for four days, then 100 % once, back to 80 %.
    const store = new FakeClinicStore([{ id: 'clinic-a', timezone: 'UTC' }], [3, 4, 4, 4, 4, 5, 4]);
    const w = await worker(store.activities());
    await w.runUntil(async () => {
      for (let day = 0; day < 7; day++) {
        await client.workflow.execute(licensingSweepWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `sweep-day-${day}`, args: [{}] });
        await env.sleep('1 day');
      }
    });
    assert.equal(store.recorded.size, 7, 'one usage record per simulated day');
    assert.deepEqual(
      store.raised.map((a) => [store.dayOf(a.date), a.metric, a.level]),
      [
        [1, 'STAFF', 'WARNING'],
        [5, 'STAFF', 'EXCEEDED'],
      ],
    );
    assert.deepEqual(store.open, [{ metric: 'STAFF', level: 'WARNING' }], 'the EXCEEDED alert was cleared on day 6');
    assert.equal(store.alertEmails.length, 2, 'one email per crossing, not per day');
  });


  test('falling below 80 % and crossing again raises a new warning', async () => {
    const store = new FakeClinicStore([{ id: 'clinic-b', timezone: 'UTC' }], [4, 4, 2, 4]);
    const w = await worker(store.activities());
    await w.runUntil(async () => {
      for (let day = 0; day < 4; day++) {
        await client.workflow.execute(licensingSweepWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: `recross-day-${day}`, args: [{}] });
        await env.sleep('1 day');
      }
    });
    assert.deepEqual(store.raised.map((a) => store.dayOf(a.date)), [0, 3]);
  });
});

describe('licensing sweep', () => {
  test('checks every clinic as a child workflow and continues as new between pages', async () => {
    const clinics = Array.from({ length: 7 }, (_, i) => ({ id: `clinic-${String(i).padStart(2, '0')}`, timezone: i % 2 ? 'Asia/Kolkata' : 'America/New_York' }));
    const store = new FakeClinicStore(clinics, [1]);
    const w = await worker(store.activities());
    const result = await w.runUntil(async () => {
      const handle = await client.workflow.start(licensingSweepWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: 'sweep-paged', args: [{ clinicsPerRun: 3 }] });
      const outcome = await handle.result();
      const latest = await client.workflow.getHandle('sweep-paged').describe();
      const progress = await client.workflow.getHandle('sweep-paged').query(licensingSweepProgressQuery);
      assert.deepEqual(progress, { ...outcome, afterClinicId: clinics[6]!.id });
      return { outcome, firstRunId: handle.firstExecutionRunId, lastRunId: latest.runId };
    });
    // Three runs (three, three and one clinic): the result came from a later run than the first.
    assert.notEqual(result.lastRunId, result.firstRunId);
    assert.equal(result.outcome.started, 7);
    assert.equal(result.outcome.skipped, 0);

    const children = await Promise.all(
      clinics.map(async (c) => {
        const date = new Intl.DateTimeFormat('en-CA', { timeZone: c.timezone }).format(new Date(await env.currentTimeMs()));
        const d = await client.workflow.getHandle(`licensing/${c.id}/${date}`).describe();
        return { status: d.status.name, clinicId: d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.ClinicId) };
      }),
    );
    assert.deepEqual(children, clinics.map((c) => ({ status: 'COMPLETED', clinicId: c.id })));
  });

  test('a clinic check exposes its progress as a query and returns ids and counts only', async () => {
    const store = new FakeClinicStore([{ id: 'clinic-q', timezone: 'UTC' }], [5]);
    const w = await worker(store.activities());
    const { result, state } = await w.runUntil(async () => {
      const handle = await client.workflow.start(licensingCheckWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: 'licensing/clinic-q/2026-01-01', args: [{ clinicId: 'clinic-q', date: '2026-01-01' }] });
      const result = await handle.result();
      return { result, state: await handle.query(licensingCheckStateQuery) };
    });
    assert.ok(result);
    assert.deepEqual(state, { stage: 'done', result });
    assert.equal(result.status, 'EXCEEDED');
    assert.deepEqual(result.usagePercent, { STAFF: 100, PATIENTS: 4, APPOINTMENTS: 0 });
    assert.deepEqual(Object.keys(result).sort(), ['cleared', 'clinicId', 'date', 'raised', 'status', 'tierCode', 'usage', 'usagePercent']);
  });
});

// Last in the file: after abandoned delivery children have run, the Java test server's
// env.sleep no longer returns, which the multi-day tests above rely on.
describe('licence alert emails', () => {
  test('a raised alert is emailed: each message is delivered by its own child workflow', async () => {
    const store = new FakeClinicStore([{ id: 'clinic-mail', timezone: 'UTC' }], [5], true);
    const w = await worker(store.activities());
    await w.runUntil(async () => {
      await client.workflow.execute(licensingCheckWorkflow, { taskQueue: TASK_QUEUES.operations, workflowId: 'licensing/clinic-mail/2026-02-01', args: [{ clinicId: 'clinic-mail', date: '2026-02-01' }] });
      // Deliveries are abandoned children: they finish on their own after the check.
      for (const id of store.alertEmails) await client.workflow.getHandle(`message/clinic-mail/${id}`).result();
    });
    assert.deepEqual(store.alertEmails, ['clinic-mail-2026-02-01-STAFF-WARNING', 'clinic-mail-2026-02-01-STAFF-EXCEEDED']);
    assert.deepEqual([...store.delivered].sort(), [...store.alertEmails].sort());
  });
});
