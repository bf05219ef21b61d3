/**
 * Reschedule requests through the real API, with a real worker on the Temporal dev server running
 * the request and appointment workflows: who may ask and decide, the 48-hour rule, one open
 * request per appointment, approval, rejection, withdrawal, and approval of a time taken meanwhile.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { createPatient, hoursAhead, ROUND_THE_CLOCK } from '../../test/support/scheduling';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const REQUESTS = '/api/v1/reschedule-requests';

interface RequestBody {
  id: string;
  status: string;
  appointmentId: string;
  therapistId: string;
  workflowId: string;
  decisionNotes: string | null;
}

let api: TestApi;
let worker: TestWorker;
let clinicId: string;
let admin: Actor;
let receptionist: Actor;
let therapist: Actor;
let colleague: Actor;

const at = hoursAhead;

before(async () => {
  api = await startTestApi();
  worker = await startTestWorker(api);
  clinicId = (await createClinic(api, { tier: 'L', timezone: 'Europe/London' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  therapist = await actor(api, 'THERAPIST', clinicId);
  colleague = await actor(api, 'THERAPIST', clinicId);
  for (const who of [therapist, colleague]) await api.http.put(`/api/v1/practitioners/${who.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
});

after(async () => {
  await worker?.stop();
  await api?.close();
});

async function session(hoursAhead: number, practitioner = therapist) {
  const patient = await createPatient(api, clinicId);
  const res = await api.http
    .post('/api/v1/appointments')
    .set(bearer(receptionist))
    .set('Idempotency-Key', randomUUID())
    .send({ patientId: patient.id, practitionerId: practitioner.id, startsAt: at(hoursAhead).toISOString(), durationMinutes: 50, type: 'TREATMENT' })
    .expect(201);
  return res.body as { id: string; startsAt: string };
}
const ask = (who: Actor, appointmentId: string, requestedStartsAt: Date) =>
  api.http.post(REQUESTS).set(bearer(who)).send({ appointmentId, requestedStartsAt: requestedStartsAt.toISOString(), reason: 'Training course that day' });

describe('reschedule requests', () => {
  test('only the session\'s own therapist may ask, at least 48 hours ahead, once at a time', async () => {
    const mine = await session(100);
    // A colleague does not see the session at all: 404, as for another clinic's.
    expectError(await ask(colleague, mine.id, at(130)), 404, 'NOT_FOUND');
    expectError(await ask(receptionist, mine.id, at(130)), 403, 'FORBIDDEN');
    const soon = await session(30);
    expectError(await ask(therapist, soon.id, at(130)), 422, 'TOO_LATE');

    const first = (await ask(therapist, mine.id, at(130)).expect(201)).body as RequestBody;
    assert.equal(first.status, 'PENDING');
    assert.equal(first.workflowId, `reschedule/${clinicId}/${first.id}`);
    expectError(await ask(therapist, mine.id, at(131)), 409, 'REQUEST_PENDING');
    const listed = (await api.http.get(REQUESTS).query({ status: 'PENDING', therapistId: therapist.id }).set(bearer(admin)).expect(200)).body as { data: RequestBody[] };
    assert.ok(listed.data.some((r) => r.id === first.id));
    await api.http.delete(`${REQUESTS}/${first.id}`).set(bearer(therapist)).expect(200);
  });

  test('an admin approves: the appointment moves; a receptionist may not decide', async () => {
    const appointment = await session(150);
    const requested = at(170);
    const r = (await ask(therapist, appointment.id, requested).expect(201)).body as RequestBody;
    expectError(await api.http.put(`${REQUESTS}/${r.id}/approve`).set(bearer(receptionist)).send({}), 403, 'FORBIDDEN');
    const approved = (await api.http.put(`${REQUESTS}/${r.id}/approve`).set(bearer(admin)).send({ notes: 'OK' }).expect(200)).body as RequestBody;
    assert.deepEqual([approved.status, approved.decisionNotes], ['APPROVED', 'OK']);
    const moved = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } });
    assert.deepEqual([moved.startsAt.toISOString(), moved.status], [requested.toISOString(), 'SCHEDULED']);
    expectError(await api.http.put(`${REQUESTS}/${r.id}/reject`).set(bearer(admin)).send({ notes: 'changed my mind' }), 409, 'NOT_PENDING');
  });

  test('rejection keeps the time; withdrawal is for the asking therapist only', async () => {
    const appointment = await session(200);
    const r = (await ask(therapist, appointment.id, at(230)).expect(201)).body as RequestBody;
    expectError(await api.http.put(`${REQUESTS}/${r.id}/reject`).set(bearer(admin)).send({}), 400, 'VALIDATION_ERROR');
    await api.http.put(`${REQUESTS}/${r.id}/reject`).set(bearer(admin)).send({ notes: 'Fully booked' }).expect(200);
    assert.equal((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt.toISOString(), appointment.startsAt);

    const again = (await ask(therapist, appointment.id, at(231)).expect(201)).body as RequestBody;
    expectError(await api.http.delete(`${REQUESTS}/${again.id}`).set(bearer(colleague)), 404, 'NOT_FOUND');
    expectError(await api.http.get(`${REQUESTS}/${again.id}`).set(bearer(colleague)), 404, 'NOT_FOUND');
    const withdrawn = (await api.http.delete(`${REQUESTS}/${again.id}`).set(bearer(therapist)).expect(200)).body as RequestBody;
    assert.equal(withdrawn.status, 'WITHDRAWN');
  });

  test('approving a time taken meanwhile answers 409 SLOT_TAKEN and the request stays open', async () => {
    const appointment = await session(260);
    const requested = at(280);
    const r = (await ask(therapist, appointment.id, requested).expect(201)).body as RequestBody;
    await session(280); // someone books the requested time first
    expectError(await api.http.put(`${REQUESTS}/${r.id}/approve`).set(bearer(admin)).send({}), 409, 'SLOT_TAKEN');
    const still = (await api.http.get(`${REQUESTS}/${r.id}`).set(bearer(admin)).expect(200)).body as RequestBody;
    assert.equal(still.status, 'PENDING');
    assert.equal((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: appointment.id } })).startsAt.toISOString(), appointment.startsAt);
  });
});
