/**
 * Failure messages and stack traces are encrypted in Temporal's history like payloads, and the
 * codec server decrypts them for operators. A real failure: an appointment cancelled with a NUL
 * byte in the reason, which PostgreSQL refuses, through the real API client, worker and dev server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { appointmentUpdates } from '../domain/appointment-workflow';
import { DATABASE_FAILURES } from '../domain/database-failures';
import { appointmentStart } from '../domain/temporal';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../test/support/api';
import { createPatient, insertAppointment } from '../test/support/scheduling';
import { startTestWorker, type TestWorker } from '../test/support/worker';
import { ENCRYPTED_ENCODING } from './encryption-codec';

const { temporal } = proto;
const REFUSAL = 'The database refused the query for good';

let api: TestApi;
let worker: TestWorker;
let ops: Actor;
let workflowId: string;

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

before(async () => {
  api = await startTestApi();
  worker = await startTestWorker(api);
  ops = await actor(api, 'OPS', null);
  const clinicId = (await createClinic(api, { tier: 'L' })).id;
  const therapist = await actor(api, 'THERAPIST', clinicId);
  const patient = await createPatient(api, clinicId);
  const startsAt = new Date(Date.now() + 72 * 3_600_000);
  const row = await insertAppointment({ db: api.db }, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString() });
  workflowId = row.workflowId;
  await api.temporal.client.workflow.start('appointmentWorkflow', { ...appointmentStart(clinicId, row), workflowId });
});

after(async () => {
  await api?.temporal.client.workflow.getHandle(workflowId).terminate('test done').catch(() => undefined);
  await worker?.stop();
  await api?.close();
});

test('a failure is stored as "Encoded failure" with encrypted attributes, and the codec server decrypts its message and stack', async () => {
  const handle = api.temporal.client.workflow.getHandle(workflowId);
  // The client holds the key: it reads the refusal as if nothing were encrypted.
  await assert.rejects(handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'x\u0000y' }] }), (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure, String(err));
    assert.equal(err.cause.type, DATABASE_FAILURES.invalidEncoding);
    assert.match(err.cause.message, new RegExp(REFUSAL));
    return true;
  });

  const { history } = await api.temporal.client.workflowService.getWorkflowExecutionHistory({ namespace: api.config.TEMPORAL_NAMESPACE, execution: { workflowId } });
  const failed = history?.events?.find((e) => e.activityTaskFailedEventAttributes)?.activityTaskFailedEventAttributes?.failure;
  assert.ok(failed, 'the activity failure is in the history');
  assert.equal(failed.message, 'Encoded failure');
  assert.equal(failed.stackTrace, '');
  assert.equal(failed.applicationFailureInfo?.type, DATABASE_FAILURES.invalidEncoding, 'the type stays readable, for ops and for retry policies');
  const attributes = failed.encodedAttributes as Payload;
  assert.equal(text(attributes.metadata?.encoding), ENCRYPTED_ENCODING);

  // Nowhere in the stored history, update outcome included, is the message or the stack in clear.
  const raw = Buffer.from(temporal.api.history.v1.History.encode(history!).finish());
  for (const clear of [REFUSAL, 'database-failures.ts', 'appointment-activities']) assert.equal(raw.includes(clear), false, `history holds "${clear}" in clear`);
  const outcome = history?.events?.find((e) => e.workflowExecutionUpdateCompletedEventAttributes)?.workflowExecutionUpdateCompletedEventAttributes?.outcome?.failure;
  assert.equal(outcome?.message, 'Encoded failure', 'the update refusal is encoded too');

  // The operator's codec server turns the attributes back into the message and the stack trace.
  const res = await api.http
    .post('/codec/decode')
    .set(bearer(ops))
    .send({ payloads: [{ metadata: Object.fromEntries(Object.entries(attributes.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(attributes.data) }] })
    .expect(200);
  const [decoded] = (res.body as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
  assert.equal(Buffer.from(decoded!.metadata.encoding!, 'base64').toString(), 'json/plain');
  const { message, stack_trace } = JSON.parse(Buffer.from(decoded!.data, 'base64').toString()) as { message: string; stack_trace: string };
  assert.match(message, new RegExp(REFUSAL));
  assert.match(stack_trace, /database-failures/);

  // And the appointment still takes the same action with a clean reason.
  assert.equal((await handle.executeUpdate(appointmentUpdates.cancel, { args: [{ reason: 'Patient unwell' }] })).status, 'CANCELLED');
});
