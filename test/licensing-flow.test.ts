/**
 * End to end on real servers: the API starts a licensing check, the worker runs it against
 * PostgreSQL, rows and alerts appear, ops can find the workflow by ClinicId, its payloads are
 * ciphertext in Temporal, and the daily Schedule starts the same work.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { localDate } from '../domain/dates';
import { type LicensingCheckResult } from '../domain/licensing-workflow';
import { SCHEDULE_IDS } from '../domain/temporal';
import { ENCRYPTED_ENCODING, EncryptionCodec } from '../temporal-config/encryption-codec';
import { ensureSchedules } from '../workers/schedules';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { startTestWorker, type TestWorker } from './support/worker';
import { eventually } from './support/eventually';

let api: TestApi;
let worker: TestWorker;
let admin: Actor;
let clinicId: string;


before(async () => {
  api = await startTestApi();
  worker = await startTestWorker(api);

  const clinic = await createClinic(api, { name: 'Harbour Physio', tier: 'S', timezone: 'Pacific/Auckland' });
  clinicId = clinic.id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  // 200 of 250 patients on tier S: exactly 80 %.
  await api.db.prisma.patient.createMany({
    data: Array.from({ length: 200 }, (_, i) => ({ clinicId, firstName: 'Pat', lastName: `Number ${i}`, barcode: `HP-${i}` })),
  });
});

after(async () => {
  await worker?.stop();
  await api?.close();
});

describe('licensing check through the API', () => {
  let workflowId: string;
  let result: LicensingCheckResult;

  test('POST /licensing/check starts licensing/<clinicId>/<local date> and the worker records usage and one warning', async () => {
    const res = await api.http.post('/api/v1/licensing/check').set(bearer(admin)).expect(202);
    const body = res.body as { workflowId: string; date: string };
    const today = localDate(new Date(), 'Pacific/Auckland');
    assert.equal(body.date, today);
    assert.equal(body.workflowId, `licensing/${clinicId}/${today}`);
    workflowId = body.workflowId;

    result = (await api.temporal.client.workflow.getHandle(workflowId).result()) as LicensingCheckResult;
    assert.equal(result.status, 'WARNING');
    assert.deepEqual(result.usage, { staff: 1, patients: 200, appointments: 0 });

    const usage = await api.db.prisma.licenseUsage.findMany({ where: { clinicId } });
    assert.deepEqual(
      usage.map((u) => [u.date.toISOString().slice(0, 10), u.patientCount, u.maxPatients, u.tierCode]),
      [[today, 200, 250, 'S']],
    );
    const alerts = await api.db.prisma.licenseAlert.findMany({ where: { clinicId } });
    assert.deepEqual(
      alerts.map((a) => [a.metric, a.level, a.percent, a.workflowId, a.clearedAt]),
      [['PATIENTS', 'WARNING', 80, workflowId, null]],
    );
  });

  test('running the check again the same day raises nothing new', async () => {
    const res = await api.http.post('/api/v1/licensing/check').set(bearer(admin)).expect(202);
    const again = (await api.temporal.client.workflow.getHandle((res.body as { workflowId: string }).workflowId).result()) as LicensingCheckResult;
    assert.deepEqual(again.raised, []);
    assert.equal(await api.db.prisma.licenseAlert.count({ where: { clinicId } }), 1);
    assert.equal(await api.db.prisma.licenseUsage.count({ where: { clinicId } }), 1);
  });

  test('the API lists the alert, the usage history and the live figures', async () => {
    const alerts = await api.http.get('/api/v1/licensing/alerts?status=open').set(bearer(admin)).expect(200);
    assert.deepEqual((alerts.body as Array<{ metric: string; level: string }>).map((a) => [a.metric, a.level]), [['PATIENTS', 'WARNING']]);
    const usage = await api.http.get('/api/v1/licensing/usage?period=monthly').set(bearer(admin)).expect(200);
    assert.equal((usage.body as { points: Array<{ peak: { patients: number } }> }).points[0]?.peak.patients, 200);
    const current = await api.http.get('/api/v1/licensing/current').set(bearer(admin)).expect(200);
    assert.deepEqual((current.body as { usagePercent: unknown }).usagePercent, { STAFF: 20, PATIENTS: 80, APPOINTMENTS: 0 });
  });

  test('ops find the workflow in Temporal by its ClinicId search attribute', async () => {
    const found = await eventually('visibility', async () => {
      const ids: string[] = [];
      for await (const wf of api.temporal.client.workflow.list({ query: `ClinicId = "${clinicId}" AND WorkflowKind = "licensing-check"` })) ids.push(wf.workflowId);
      return ids.includes(workflowId) ? ids : undefined;
    });
    assert.ok(found.every((id) => id === workflowId));
  });

  test('workflow inputs and results are ciphertext in Temporal and readable only through the codec', async () => {
    const raw = new Client({ connection: api.temporal.connection, namespace: api.config.TEMPORAL_NAMESPACE });
    const history = await raw.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.ok(started?.data && started.metadata);
    assert.equal(Buffer.from(started.metadata.encoding ?? []).toString(), ENCRYPTED_ENCODING);
    assert.ok(!Buffer.from(started.data).toString('latin1').includes(clinicId), 'clinic id is not readable in history');

    const [plain] = await new EncryptionCodec(api.config.PAYLOAD_ENCRYPTION_KEYS, api.config.PAYLOAD_ENCRYPTION_KEY_ID).decode([started]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(plain!), { clinicId, date: result.date });
  });
});

describe('daily Schedule', () => {
  test('the licensing Schedule starts a sweep that checks every clinic', async () => {
    await ensureSchedules(api.temporal.client, { licensingHourUtc: 2 });
    const schedule = api.temporal.client.schedule.getHandle(SCHEDULE_IDS.licensingDaily);
    const today = localDate(new Date(), 'Pacific/Auckland');
    const clinicCheck = api.temporal.client.workflow.getHandle(`licensing/${clinicId}/${today}`);
    const runBefore = (await clinicCheck.describe()).runId;
    try {
      await schedule.trigger();
      const sweepId = await eventually('a scheduled run', async () => {
        const d = await schedule.describe();
        return d.info.recentActions[0]?.action.workflow.workflowId;
      });
      const sweep = (await api.temporal.client.workflow.getHandle(sweepId).result()) as { started: number };
      assert.ok(sweep.started >= 1);
      const check = await clinicCheck.describe();
      assert.notEqual(check.runId, runBefore, 'the sweep ran a new check for the clinic');
      assert.equal(check.status.name, 'COMPLETED');
    } finally {
      await schedule.delete();
      // ensureSchedules made it too; left running it would start workflows for other test files' rows.
      await api.temporal.client.schedule.getHandle(SCHEDULE_IDS.startReconciler).delete().catch(() => undefined);
    }
  });
});
