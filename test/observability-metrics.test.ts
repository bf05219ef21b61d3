/**
 * Every metric the Grafana dashboard and the Prometheus alert rules query
 * (temporal-config/observability/) is really exported: the real worker process (workers/worker.ts,
 * with WORKER_METRICS_PORT) and the real API do some work (a booking, a payment-reminder run), then
 * both /metrics are scraped and each name referenced in a query must be a metric family there.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { freePort } from '../scripts/stack/ports';
import { actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { eventually } from './support/eventually';
import { createPatient, hoursAhead, ROUND_THE_CLOCK } from './support/scheduling';
import { startWorkerProcess, stopWorkerProcesses, type WorkerProcess } from './support/worker-process';
import { devServerAddress } from './support/temporal';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, 'temporal-config/observability');
const METRICS_TOKEN = 'observability-metrics-token-0123456789';
const SECRETS = {
  METRICS_TOKEN,
  JWT_SECRET: randomBytes(32).toString('hex'),
  PAYLOAD_ENCRYPTION_KEYS: `metrics-1:${randomBytes(32).toString('base64')}`,
  PAYLOAD_ENCRYPTION_KEY_ID: 'metrics-1',
  CREDENTIAL_ENCRYPTION_KEYS: `metrics-cred-1:${randomBytes(32).toString('base64')}`,
  CREDENTIAL_ENCRYPTION_KEY_ID: 'metrics-cred-1',
};

let api: TestApi;
let worker: WorkerProcess;
let metricsPort: number;

before(async () => {
  api = await startTestApi(SECRETS);
  metricsPort = await freePort();
  worker = startWorkerProcess(
    { ...SECRETS, NODE_ENV: 'test', DATABASE_URL: api.db.url, TEMPORAL_ADDRESS: devServerAddress(), GLOBAL_MESSAGING_CONFIG: '{}', WORKER_METRICS_PORT: String(metricsPort), LOG_LEVEL: 'info' },
    { connection: api.temporal.connection, namespace: api.config.TEMPORAL_NAMESPACE },
  );
  await worker.ready;
});

after(async () => {
  await stopWorkerProcesses();
  await api?.close();
});

/** Metric names in PromQL: identifiers followed by a selector, a range or a closing parenthesis, not label names or functions. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const found = withoutStrings.match(/\b(?:clinicflow|temporal|http|process|nodejs)_[a-zA-Z0-9_]+\b/g) ?? [];
  return [...new Set(found)];
}

function dashboardExprs(): string[] {
  const dashboard = z.object({ panels: z.array(z.object({ title: z.string(), targets: z.array(z.object({ expr: z.string() })).min(1) })).min(1) }).parse(JSON.parse(readFileSync(path.join(DIR, 'grafana-dashboard.json'), 'utf8')));
  return dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
}

function ruleExprs(): Array<{ alert: string; expr: string }> {
  const rules = z
    .object({ groups: z.array(z.object({ name: z.string(), rules: z.array(z.object({ alert: z.string(), expr: z.string(), for: z.string().optional() })).min(1) })).min(1) })
    .parse(parse(readFileSync(path.join(DIR, 'prometheus-alerts.yml'), 'utf8')));
  return rules.groups.flatMap((g) => g.rules);
}

/** Metric families of a Prometheus text exposition (`# TYPE name kind`), with the sample names a histogram or counter adds. */
function families(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line);
    if (typed) {
      const [, name = '', kind] = typed;
      names.add(name);
      if (kind === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'counter' && !name.endsWith('_total')) names.add(`${name}_total`);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

test('the alert rules cover deliveries failing, reminders late, task queue backlog, a Schedule not firing and API 5xx', () => {
  const alerts = ruleExprs().map((r) => r.alert);
  for (const wanted of ['DeliveriesFailing', 'RemindersLate', 'TaskQueueBacklog', 'ScheduleNotFiring', 'ApiServerErrors']) assert.ok(alerts.includes(wanted), `no ${wanted} rule`);
});

test('every metric the dashboard and the alert rules query is exported by the worker or the API', { timeout: 240_000 }, async () => {
  // Some work for both: a booking (API, then the worker's lifecycle workflow) and a payment-reminder run.
  const clinicId = (await createClinic(api, { tier: 'L' })).id;
  const admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  const therapist = await actor(api, 'THERAPIST', clinicId);
  await api.http.put(`/api/v1/practitioners/${therapist.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
  const patient = await createPatient(api, clinicId);
  const booked = await api.http
    .post('/api/v1/appointments')
    .set(bearer(admin))
    .set('Idempotency-Key', randomUUID())
    .send({ patientId: patient.id, practitionerId: therapist.id, startsAt: hoursAhead(30).toISOString(), durationMinutes: 30, type: 'CONSULTATION' })
    .expect(201);
  await api.http.post(`/api/v1/clinics/${clinicId}/payment-reminders/run`).set(bearer(admin)).expect(202);
  await api.http.get('/api/v1/appointments/not-a-uuid').set(bearer(admin));

  const scrapeWorker = async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(response.status, 200);
    return response.text();
  };
  // The run finishes and the lifecycle workflow has run tasks on this worker.
  const workerText = await eventually('the worker to count the finished run and its workflow tasks', async () => {
    const text = await scrapeWorker();
    return /clinicflow_payment_reminder_runs_total\{event="finished",trigger="MANUAL"\} 1/.test(text) && /temporal_workflow_task_schedule_to_start_latency_bucket/.test(text) ? text : undefined;
  }, 120_000);
  const apiText = (await api.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
  assert.match(apiText, /clinicflow_bookings_total\{outcome="booked"\} 1/);
  assert.ok((booked.body as { workflowId: string }).workflowId);

  const exported = new Set([...families(workerText), ...families(apiText)]);
  const queried = [...dashboardExprs(), ...ruleExprs().map((r) => r.expr)];
  const missing = [...new Set(queried.flatMap(metricNames))].filter((name) => !exported.has(name));
  assert.deepEqual(missing, [], `queried but not exported: ${missing.join(', ')}`);

  // The worker's log is JSON through pino, with the workflow and clinic of what it logs.
  const lines = () => worker.output().split('\n').filter((l) => l.startsWith('{'));
  assert.ok(lines().length > 0, 'the worker logs JSON lines');
  // The Schedules are reconciled in the background once the worker polls: the run above may finish first.
  const reconciled = await eventually('the worker to log that it reconciled the Schedules at start-up', async () =>
    lines().map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Schedules reconciled'),
  60_000).catch(() => undefined);
  assert.ok(reconciled, `the worker reconciled the Schedules at start-up:\n${worker.output().slice(-2000)}`);
});
