/**
 * The API's calls into a workflow have a deadline: an appointment whose workflow never answers (no
 * worker polls its task queue) gets 503 WORKFLOW_TIMEOUT with Retry-After after about ten seconds,
 * not a request that hangs; reading it answers without the workflow's state.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { appointmentStart } from '../../domain/temporal';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { UPDATE_DEADLINE_MS } from './workflow-updates';

let api: TestApi;
let receptionist: Actor;
let appointmentId: string;
let workflowId: string;

before(async () => {
  api = await startTestApi();
  const clinicId = (await createClinic(api, { tier: 'L' })).id;
  receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  const therapist = await actor(api, 'THERAPIST', clinicId);
  const patient = await createPatient(api, clinicId);
  const startsAt = new Date(Date.now() + 72 * 3_600_000);
  const row = await insertAppointment({ db: api.db }, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString() });
  appointmentId = row.id;
  workflowId = row.workflowId;
  // Its workflow exists, but on a task queue no worker polls: it will never answer.
  await api.temporal.client.workflow.start('appointmentWorkflow', { ...appointmentStart(clinicId, row), workflowId, taskQueue: `nobody-polls-${randomUUID()}` });
});

after(async () => {
  await api?.temporal.client.workflow.getHandle(workflowId).terminate('test done').catch(() => undefined);
  await api?.close();
});

test('an update the workflow never answers ends in 503 WORKFLOW_TIMEOUT with Retry-After, at the deadline', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const res = await api.http.post(`/api/v1/appointments/${appointmentId}/cancel`).set(bearer(receptionist)).send({ reason: 'Patient unwell' });
  const took = Date.now() - started;
  expectError(res, 503, 'WORKFLOW_TIMEOUT');
  assert.equal(res.headers['retry-after'], '5');
  assert.ok(took >= UPDATE_DEADLINE_MS - 500 && took < UPDATE_DEADLINE_MS + 5_000, `answered after ${took} ms`);
  // Nothing was written: the workflow owns the row and never ran.
  assert.equal((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointmentId } })).status, 'SCHEDULED');
});

test('reading the appointment answers within seconds, without the workflow state it could not get', { timeout: 30_000 }, async () => {
  const started = Date.now();
  const res = await api.http.get(`/api/v1/appointments/${appointmentId}`).set(bearer(receptionist)).expect(200);
  assert.ok(Date.now() - started < 8_000, `answered after ${Date.now() - started} ms`);
  assert.equal((res.body as { workflow: unknown }).workflow, null);
});
