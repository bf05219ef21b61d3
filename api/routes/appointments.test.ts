/**
 * Booking and steering appointments through the real API, over real PostgreSQL, with a real worker
 * on the Temporal dev server running each appointment's lifecycle workflow.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { localDate, zonedTimeToUtc } from '../../domain/dates';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { apiAt, createPatient, hoursAhead, ROUND_THE_CLOCK } from '../../test/support/scheduling';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const APPOINTMENTS = '/api/v1/appointments';
const HOUR = 3_600_000;

interface AppointmentBody {
  id: string;
  reservationId: string;
  status: string;
  startsAt: string;
  endsAt: string;
  workflowId: string;
  price: string | null;
  currency: string | null;
  practitionerId: string;
  patientId: string;
}

let api: TestApi;
let worker: TestWorker;
let clinicId: string;
let admin: Actor;
let receptionist: Actor;
let therapist: Actor;
let therapyTypeId: string;

const at = hoursAhead;

before(async () => {
  api = await startTestApi();
  worker = await startTestWorker(api);
  clinicId = (await createClinic(api, { tier: 'L', timezone: 'Europe/London' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  therapist = await actor(api, 'THERAPIST', clinicId);
  // Round the clock, so that what these tests book never depends on the hour they run at.
  await api.http.put(`/api/v1/practitioners/${therapist.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
  therapyTypeId = ((await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'Speech therapy', defaultDurationMinutes: 45, defaultPrice: 60, currency: 'EUR' }).expect(201)).body as { id: string }).id;
});

after(async () => {
  await worker?.stop();
  await api?.close();
});

const book = (who: Actor, body: Record<string, unknown>, key: string = randomUUID()) => api.http.post(APPOINTMENTS).set(bearer(who)).set('Idempotency-Key', key).send(body);
const slot = (patientId: string, startsAt: Date, extra: Record<string, unknown> = {}) => ({
  patientId,
  practitionerId: therapist.id,
  startsAt: startsAt.toISOString(),
  therapyTypeId,
  type: 'TREATMENT',
  ...extra,
});
const act = (who: Actor, id: string, action: string, body?: object) => api.http.post(`${APPOINTMENTS}/${id}/${action}`).set(bearer(who)).send(body ?? {});
const searchAttribute = async (workflowId: string) => (await api.temporal.client.workflow.getHandle(workflowId).describe()).typedSearchAttributes;

describe('booking', () => {
  test("a receptionist books: the therapy type's length and price, a reservation id, and the lifecycle workflow with its search attributes", async () => {
    const patient = await createPatient(api, clinicId);
    const startsAt = at(30);
    const res = await book(receptionist, slot(patient.id, startsAt, { reason: 'Stammering, follow-up of assessment' })).expect(201);
    const a = res.body as AppointmentBody;
    assert.match(a.reservationId, /^APT-[0-9A-HJKMNP-TV-Z]{8}$/);
    assert.deepEqual([a.status, a.startsAt, a.endsAt, a.price, a.currency], ['SCHEDULED', startsAt.toISOString(), new Date(startsAt.getTime() + 45 * 60_000).toISOString(), '60.00', 'EUR']);
    assert.equal(a.workflowId, `appointment/${clinicId}/${a.id}`);

    const row = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: a.id } });
    assert.equal(row.reason, 'Stammering, follow-up of assessment');
    const attributes = await searchAttribute(a.workflowId);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.AppointmentId), a.id);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.PatientId), patient.id);
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.AppointmentStatus), 'SCHEDULED');
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.WorkflowKind), 'appointment');
    assert.equal(attributes.get(SEARCH_ATTRIBUTES.ScheduledStart)?.toISOString(), startsAt.toISOString());
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'appointment.book', entityId: a.id } });
    assert.ok(!JSON.stringify(audit.changes).includes('Stammering'), 'the reason stays out of the audit trail');
  });

  test('the same Idempotency-Key books once and answers with the same appointment', async () => {
    const patient = await createPatient(api, clinicId);
    const key = `booking-${randomUUID()}`;
    const first = (await book(receptionist, slot(patient.id, at(40)), key).expect(201)).body as AppointmentBody;
    const again = await book(receptionist, slot(patient.id, at(40)), key).expect(201);
    assert.equal((again.body as AppointmentBody).id, first.id);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await api.db.prisma.appointment.count({ where: { clinicId, patientId: patient.id } }), 1);
    expectError(await api.http.post(APPOINTMENTS).set(bearer(receptionist)).send(slot(patient.id, at(41))), 400, 'VALIDATION_ERROR');
  });

  test('50 concurrent bookings of one slot: exactly one 201, the others 409 SLOT_TAKEN, one row', async () => {
    const patients = await Promise.all(Array.from({ length: 50 }, () => createPatient(api, clinicId)));
    const startsAt = at(50);
    const answers = await Promise.all(patients.map((p) => book(receptionist, slot(p.id, startsAt))));
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 49);
    for (const r of answers.filter((x) => x.status === 409)) assert.equal((r.body as { error: { code: string } }).error.code, 'SLOT_TAKEN');
    assert.equal(await api.db.prisma.appointment.count({ where: { clinicId, startsAt } }), 1);
  });

  test('overlaps are refused for the practitioner and for the patient; a cancelled one frees its time', async () => {
    const patient = await createPatient(api, clinicId);
    const other = await createPatient(api, clinicId);
    const startsAt = at(60);
    const first = (await book(receptionist, slot(patient.id, startsAt)).expect(201)).body as AppointmentBody;
    expectError(await book(receptionist, slot(other.id, new Date(startsAt.getTime() + 30 * 60_000))), 409, 'SLOT_TAKEN');
    const colleague = await actor(api, 'DOCTOR', clinicId);
    await api.http.put(`/api/v1/practitioners/${colleague.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
    expectError(await book(receptionist, slot(patient.id, startsAt, { practitionerId: colleague.id, therapyTypeId: undefined, durationMinutes: 30 })), 409, 'SLOT_TAKEN');
    await act(receptionist, first.id, 'cancel', { reason: 'Moved away' }).expect(200);
    await book(receptionist, slot(other.id, startsAt)).expect(201);
  });

  test('in the past, outside working hours or without a duration: refused with the reason', async () => {
    const patient = await createPatient(api, clinicId);
    expectError(await book(receptionist, slot(patient.id, new Date(Date.now() - HOUR))), 422, 'IN_THE_PAST');
    const nineToFive = await actor(api, 'THERAPIST', clinicId);
    await api.http.put(`/api/v1/practitioners/${nineToFive.id}/working-hours`).set(bearer(admin)).send({ timezone: 'UTC', weekly: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })) }).expect(200);
    const evening = new Date(at(48));
    evening.setUTCHours(20, 0, 0, 0);
    const outside = expectError(await book(receptionist, slot(patient.id, evening, { practitionerId: nineToFive.id })), 422, 'OUTSIDE_WORKING_HOURS');
    assert.deepEqual(detailPaths(outside), ['body.startsAt']);
    const noHours = await actor(api, 'DOCTOR', clinicId);
    expectError(await book(receptionist, slot(patient.id, at(48), { practitionerId: noHours.id })), 422, 'NO_WORKING_HOURS');
    const missing = expectError(await book(receptionist, { ...slot(patient.id, at(48)), therapyTypeId: undefined }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(missing), ['body.therapyTypeId']);
    assert.equal(await api.db.prisma.appointment.count({ where: { patientId: patient.id } }), 0);
  });

  test('TIME_PERIOD books the first free slot from the given time that day', async () => {
    const patient = await createPatient(api, clinicId);
    const other = await createPatient(api, clinicId);
    // 10:00 in the clinic's zone: a start late in the evening would leave no slot before the day ends.
    const from = zonedTimeToUtc(localDate(at(70), 'Europe/London'), '10:00', 'Europe/London');
    await book(receptionist, slot(other.id, from)).expect(201);
    const res = await book(receptionist, slot(patient.id, from, { bookingMode: 'TIME_PERIOD' })).expect(201);
    assert.equal((res.body as AppointmentBody).startsAt, new Date(from.getTime() + 45 * 60_000).toISOString(), 'right after the booked session');
  });

  test("another clinic's patient or practitioner is 404, so is an inactive patient; staff who do not practise are 422; a therapist cannot book", async () => {
    const otherClinic = (await createClinic(api, { tier: 'L' })).id;
    const stranger = await createPatient(api, otherClinic);
    const foreignTherapist = await actor(api, 'THERAPIST', otherClinic);
    const patient = await createPatient(api, clinicId);
    const inactive = await createPatient(api, clinicId);
    await api.db.prisma.patient.update({ where: { id: inactive.id }, data: { active: false } });
    expectError(await book(receptionist, slot(stranger.id, at(80))), 404, 'NOT_FOUND');
    expectError(await book(receptionist, slot(inactive.id, at(80))), 404, 'NOT_FOUND');
    expectError(await book(receptionist, slot(patient.id, at(80), { practitionerId: foreignTherapist.id })), 404, 'NOT_FOUND');
    expectError(await book(receptionist, slot(patient.id, at(80), { practitionerId: receptionist.id })), 422, 'NOT_A_PRACTITIONER');
    expectError(await book(therapist, slot(patient.id, at(80))), 403, 'FORBIDDEN');
    assert.equal(await api.db.prisma.appointment.count({ where: { patientId: { in: [stranger.id, inactive.id, patient.id] } } }), 0, 'nothing written');
  });

  test("a full month for the clinic's tier is 402", async () => {
    await api.db.prisma.licenseTier.create({ data: { code: 'TINY', name: 'Tiny', rank: 99, maxStaff: 10, maxPatients: 10, maxAppointmentsPerMonth: 1, monthlyPrice: 1 } });
    const tiny = await createClinic(api, { tier: 'TINY', timezone: 'UTC' });
    const desk = await actor(api, 'RECEPTIONIST', tiny.id);
    const doc = await actor(api, 'DOCTOR', tiny.id);
    await api.db.prisma.practitionerSchedule.create({ data: { clinicId: tiny.id, practitionerId: doc.id, weekly: ROUND_THE_CLOCK } });
    const [p1, p2] = [await createPatient(api, tiny.id), await createPatient(api, tiny.id)];
    // Both on one day, so both fall in the same month.
    const first = at(2);
    await book(desk, { patientId: p1.id, practitionerId: doc.id, startsAt: first.toISOString(), durationMinutes: 30, type: 'CONSULTATION' }).expect(201);
    const second = await book(desk, { patientId: p2.id, practitionerId: doc.id, startsAt: new Date(first.getTime() + HOUR).toISOString(), durationMinutes: 30, type: 'CONSULTATION' });
    if (new Date(first.getTime() + HOUR).getUTCMonth() === first.getUTCMonth()) {
      const err = expectError(second, 402, 'LICENSE_LIMIT_EXCEEDED');
      assert.deepEqual((err.details as { metric: string; limit: number }).metric, 'APPOINTMENTS');
    }
  });
});

describe('the lifecycle through the API', () => {
  test('confirm, reschedule, refused actions and cancel: the row, the search attribute and the workflow state follow', async () => {
    const patient = await createPatient(api, clinicId);
    const a = (await book(receptionist, slot(patient.id, at(100))).expect(201)).body as AppointmentBody;
    const confirmed = (await act(receptionist, a.id, 'confirm').expect(200)).body as AppointmentBody;
    assert.equal(confirmed.status, 'CONFIRMED');
    expectError(await act(receptionist, a.id, 'confirm'), 409, 'INVALID_TRANSITION');
    assert.equal((await searchAttribute(a.workflowId)).get(SEARCH_ATTRIBUTES.AppointmentStatus), 'CONFIRMED');

    const later = at(124);
    const moved = (await act(receptionist, a.id, 'reschedule', { startsAt: later.toISOString() }).expect(200)).body as AppointmentBody;
    assert.deepEqual([moved.status, moved.startsAt], ['SCHEDULED', later.toISOString()]);
    expectError(await act(therapist, a.id, 'reschedule', { startsAt: at(130).toISOString() }), 403, 'FORBIDDEN');

    const detail = (await api.http.get(`${APPOINTMENTS}/${a.id}`).set(bearer(therapist)).expect(200)).body as AppointmentBody & { workflow: { status: string; upcomingReminders: string[]; noShowCheckAt: string } };
    assert.equal(detail.workflow.status, 'SCHEDULED');
    assert.deepEqual(detail.workflow.upcomingReminders, [new Date(later.getTime() - 24 * HOUR).toISOString(), new Date(later.getTime() - 2 * HOUR).toISOString()]);
    assert.equal(detail.workflow.noShowCheckAt, new Date(later.getTime() + 15 * 60_000).toISOString());

    const cancelled = (await act(receptionist, a.id, 'cancel', { reason: 'Family emergency' }).expect(200)).body as AppointmentBody;
    assert.equal(cancelled.status, 'CANCELLED');
    for (const action of ['confirm', 'check-in', 'no-show']) expectError(await act(receptionist, a.id, action), 409, 'INVALID_TRANSITION');
    expectError(await act(receptionist, a.id, 'cancel'), 400, 'VALIDATION_ERROR');
  });

  test('check-in by barcode finds the patient\'s appointment today; start and complete record the times', async () => {
    const patient = await createPatient(api, clinicId);
    const startsAt = at(50 + 24 * 3);
    // The desk's clock says it is an hour before the session, or its very start when that hour is
    // still the day before in London (a session at midnight): "today" is the session's day.
    const hourBefore = new Date(startsAt.getTime() - HOUR);
    const desk = apiAt(api, localDate(hourBefore, 'Europe/London') === localDate(startsAt, 'Europe/London') ? hourBefore : startsAt);
    const a = (await book(receptionist, slot(patient.id, startsAt)).expect(201)).body as AppointmentBody;
    expectError(await desk.post(`${APPOINTMENTS}/check-in-by-barcode`).set(bearer(receptionist)).send({ barcode: 'NO-SUCH-CARD' }), 404, 'NOT_FOUND');
    const checkedIn = (await desk.post(`${APPOINTMENTS}/check-in-by-barcode`).set(bearer(receptionist)).send({ barcode: patient.barcode }).expect(200)).body as AppointmentBody & { checkedInAt: string };
    assert.deepEqual([checkedIn.id, checkedIn.status], [a.id, 'CHECKED_IN']);
    await act(therapist, a.id, 'start').expect(200);
    const done = (await act(therapist, a.id, 'complete', { followUpRequired: true }).expect(400)).body as { error: { details: { path: string }[] } };
    assert.deepEqual(done.error.details.map((d) => d.path), ['body.followUpDate']);
    const completed = (await act(therapist, a.id, 'complete', { notes: 'Good progress' }).expect(200)).body as AppointmentBody & { completedAt: string; notes: string };
    assert.deepEqual([completed.status, completed.notes], ['COMPLETED', 'Good progress']);
    const row = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: a.id } });
    assert.ok(row.checkedInAt && row.startedAt && row.completedAt);
    expectError(await act(therapist, a.id, 'start'), 409, 'INVALID_TRANSITION');
  });

  test('lists filter by practitioner, patient, status and time', async () => {
    const patient = await createPatient(api, clinicId);
    const a = (await book(receptionist, slot(patient.id, at(150))).expect(201)).body as AppointmentBody;
    const page = (await api.http.get(APPOINTMENTS).query({ patientId: patient.id }).set(bearer(therapist)).expect(200)).body as { data: AppointmentBody[] };
    assert.deepEqual(page.data.map((x) => x.id), [a.id]);
    const none = (await api.http.get(APPOINTMENTS).query({ patientId: patient.id, status: 'CANCELLED' }).set(bearer(therapist)).expect(200)).body as { data: AppointmentBody[] };
    assert.deepEqual(none.data, []);
    const window = (await api.http.get(APPOINTMENTS).query({ from: at(149).toISOString(), to: at(151).toISOString(), practitionerId: therapist.id }).set(bearer(admin)).expect(200)).body as { data: AppointmentBody[] };
    assert.ok(window.data.some((x) => x.id === a.id));
  });
});
