/**
 * One booking's OpenTelemetry trace, end to end: the real API (with its request span and the
 * Temporal client's tracing interceptor) books an appointment, a real worker (with the workflow
 * and activity interceptors and the workflow span sink) runs its lifecycle on the dev server,
 * and every span lands in an in-memory exporter: API request → StartWorkflow → RunWorkflow →
 * StartActivity → RunActivity, one trace id, each the parent of the next.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing, tracingClientInterceptors } from '../temporal-config/tracing';
import { actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { eventually } from './support/eventually';
import { createPatient, hoursAhead, ROUND_THE_CLOCK } from './support/scheduling';
import { startTestWorker, type TestWorker } from './support/worker';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let api: TestApi;
let worker: TestWorker;

before(async () => {
  tracing = startTracing({ OTEL_TRACES_EXPORTER: 'none' }, { serviceName: 'clinicflow-api', exporter })!;
  api = await startTestApi({}, { clientInterceptors: tracingClientInterceptors(tracing) });
  worker = await startTestWorker(api, {}, { tracing });
});

after(async () => {
  await worker?.stop();
  await api?.close();
  await tracing?.shutdown();
});

test("a booking's trace runs from the API request through the workflow to its activities", { timeout: 120_000 }, async () => {
  const clinicId = (await createClinic(api, { tier: 'L' })).id;
  const admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  const therapist = await actor(api, 'THERAPIST', clinicId);
  await api.http.put(`/api/v1/practitioners/${therapist.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
  const patient = await createPatient(api, clinicId);

  const res = await api.http
    .post('/api/v1/appointments')
    .set(bearer(admin))
    .set('Idempotency-Key', randomUUID())
    .send({ patientId: patient.id, practitionerId: therapist.id, startsAt: hoursAhead(30).toISOString(), durationMinutes: 30, type: 'CONSULTATION' })
    .expect(201);
  const { id, workflowId } = res.body as { id: string; workflowId: string };
  // The workflow's own span ends when the workflow does: a cancellation ends this one at once.
  await api.http.post(`/api/v1/appointments/${id}/cancel`).set(bearer(admin)).send({ reason: 'trace test' }).expect(200);
  await eventually('the lifecycle workflow to end', async () => (await api.temporal.client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING', 60_000);

  const spans = () => exporter.getFinishedSpans();
  const found = (span: ReadableSpan | undefined) => Promise.resolve(span);
  const request = await eventually('the API request span', () => found(spans().find((s) => s.name === 'POST /api/v1/appointments/' || s.name === 'POST /api/v1/appointments')), 10_000);
  const trace = request.spanContext().traceId;
  const inTrace = () => spans().filter((s) => s.spanContext().traceId === trace);
  const childOf = (parent: ReadableSpan, name: (n: string) => boolean) => inTrace().find((s) => s.parentSpanId === parent.spanContext().spanId && name(s.name));

  const start = await eventually('StartWorkflow under the request', () => found(childOf(request, (n) => n === 'StartWorkflow:appointmentWorkflow')), 10_000);
  const run = await eventually('RunWorkflow under the start', () => found(childOf(start, (n) => n === 'RunWorkflow:appointmentWorkflow')), 60_000);
  const scheduled = await eventually('an activity started by the workflow', () => found(childOf(run, (n) => n.startsWith('StartActivity:'))), 60_000);
  const ran = await eventually('that activity run under its start', () => found(childOf(scheduled, (n) => n.startsWith('RunActivity:'))), 60_000);

  assert.equal(ran.name.split(':')[1], scheduled.name.split(':')[1]);
  // The spans name the workflow and carry ids (its search attributes among them), never its arguments or who the patient is.
  assert.ok(inTrace().some((s) => s.attributes.temporalWorkflowId === workflowId || s.name.endsWith('appointmentWorkflow')));
  for (const span of inTrace()) assert.ok(!JSON.stringify(span.attributes).includes(patient.lastName), `${span.name} carries no patient details`);
});
