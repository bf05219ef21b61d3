/** Patients' payments, refunds, credit and outstanding dues through the real API, over real PostgreSQL. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';

const PAYMENTS = '/api/v1/payments';

interface Dues {
  currency: string;
  sessions: Array<{ appointmentId: string; cost: string; paid: string; due: string }>;
  onAccount: string;
  total: string;
}

let api: TestApi;
let clinicId: string;
let accountant: Actor;
let receptionist: Actor;
let therapist: Actor;

before(async () => {
  api = await startTestApi();
  clinicId = (await createClinic(api, { tier: 'L' })).id;
  await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { currency: 'EUR' } });
  accountant = await actor(api, 'ACCOUNTANT', clinicId);
  receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  therapist = await actor(api, 'THERAPIST', clinicId);
});
after(async () => api?.close());

let hour = 0;
/** A session of the patient's in the given state, priced (price − discount = its cost). */
async function session(patientId: string, price: string, discount = '0', status: 'COMPLETED' | 'SCHEDULED' = 'COMPLETED') {
  const startsAt = new Date(Date.UTC(2026, 9, 1, 8) + ++hour * 3_600_000);
  const endsAt = new Date(startsAt.getTime() + 45 * 60_000);
  return (await insertAppointment(api, { clinicId, patientId, practitionerId: therapist.id, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), status, price, discount })).id;
}

const pay = (body: Record<string, unknown>, key: string = randomUUID(), who: Actor = accountant) => api.http.post(PAYMENTS).set(bearer(who)).set('Idempotency-Key', key).send(body);
const dues = async (patientId: string) => (await api.http.get(`/api/v1/patients/${patientId}/outstanding-dues`).set(bearer(accountant)).expect(200)).body as Dues;
const credit = async (patientId: string) => (await api.http.get(`/api/v1/patients/${patientId}/credits`).set(bearer(accountant)).expect(200)).body as { balance: string; entries: unknown[] };

describe('payments and dues', () => {
  test('partial payments against sessions and on account keep the dues exact to the cent', async () => {
    const patient = await createPatient(api, clinicId);
    const first = await session(patient.id, '100.00', '10.00');
    const second = await session(patient.id, '33.33');
    await session(patient.id, '50.00', '0', 'SCHEDULED');
    const paid = (await pay({ patientId: patient.id, appointmentId: first, amount: '45.50', method: 'CARD' }).expect(201)).body as { amount: string; currency: string };
    assert.deepEqual([paid.amount, paid.currency], ['45.50', 'EUR']);
    await pay({ patientId: patient.id, amount: 0.01, method: 'CASH' }).expect(201);
    const d = await dues(patient.id);
    assert.deepEqual(
      d.sessions.map((s) => [s.appointmentId, s.cost, s.paid, s.due]),
      [
        [first, '90.00', '45.50', '44.50'],
        [second, '33.33', '0.00', '33.33'],
      ],
    );
    assert.deepEqual([d.currency, d.onAccount, d.total], ['EUR', '0.01', '77.82']);
  });

  test('never more than is due: overpayment, unpayable sessions and unknown ones are refused', async () => {
    const patient = await createPatient(api, clinicId);
    const done = await session(patient.id, '20.00');
    const later = await session(patient.id, '20.00', '0', 'SCHEDULED');
    expectError(await pay({ patientId: patient.id, appointmentId: done, amount: '20.01', method: 'CASH' }), 422, 'OVERPAYMENT');
    expectError(await pay({ patientId: patient.id, amount: '20.01', method: 'CASH' }), 422, 'OVERPAYMENT');
    expectError(await pay({ patientId: patient.id, appointmentId: later, amount: '5', method: 'CASH' }), 422, 'NOT_PAYABLE');
    expectError(await pay({ patientId: patient.id, appointmentId: randomUUID(), amount: '5', method: 'CASH' }), 404, 'NOT_FOUND');
    const bad = expectError(await pay({ patientId: patient.id, amount: '1.234', method: 'CHEQUE' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(bad), ['body.amount', 'body.method']);
    assert.equal(await api.db.prisma.payment.count({ where: { patientId: patient.id } }), 0);
  });

  test('ten concurrent payments of 20.00 against 100.00 due: exactly five are recorded', async () => {
    const patient = await createPatient(api, clinicId);
    const id = await session(patient.id, '100.00');
    const answers = await Promise.all(Array.from({ length: 10 }, () => pay({ patientId: patient.id, appointmentId: id, amount: '20.00', method: 'UPI' })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 201, 201, 201, 201, 422, 422, 422, 422, 422]);
    assert.equal((await dues(patient.id)).total, '0.00');
    const [sum] = await api.db.prisma.$queryRaw<Array<{ total: string }>>`SELECT sum(amount)::text AS total FROM "Payment" WHERE "patientId" = ${patient.id}::uuid`;
    assert.equal(sum?.total, '100.00');
  });

  test('the same Idempotency-Key records once', async () => {
    const patient = await createPatient(api, clinicId);
    await session(patient.id, '60.00');
    const key = `pay-${randomUUID()}`;
    const first = (await pay({ patientId: patient.id, amount: '10.00', method: 'CASH' }, key).expect(201)).body as { id: string };
    const again = await pay({ patientId: patient.id, amount: '10.00', method: 'CASH' }, key).expect(201);
    assert.equal((again.body as { id: string }).id, first.id);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(await api.db.prisma.payment.count({ where: { patientId: patient.id } }), 1);
    expectError(await api.http.post(PAYMENTS).set(bearer(accountant)).send({ patientId: patient.id, amount: '1', method: 'CASH' }), 400, 'VALIDATION_ERROR');
  });

  test('credit: top up, pay by credit, never below zero, refund back to credit', async () => {
    const patient = await createPatient(api, clinicId);
    const id = await session(patient.id, '80.00');
    const topUp = await api.http.post(`/api/v1/patients/${patient.id}/credits`).set(bearer(accountant)).set('Idempotency-Key', randomUUID()).send({ amount: '50', method: 'BANK_TRANSFER' }).expect(201);
    assert.deepEqual(topUp.body, { balance: '50.00', currency: 'EUR' });
    await pay({ patientId: patient.id, appointmentId: id, amount: '30.00', method: 'CREDIT' }).expect(201);
    assert.equal((await credit(patient.id)).balance, '20.00');
    expectError(await pay({ patientId: patient.id, appointmentId: id, amount: '30.00', method: 'CREDIT' }), 422, 'INSUFFICIENT_CREDIT');
    await pay({ patientId: patient.id, appointmentId: id, amount: '-10.00', method: 'CREDIT', reason: 'Session cut short' }).expect(201);
    const after = await credit(patient.id);
    assert.deepEqual([after.balance, after.entries.length], ['30.00', 3]);
    assert.equal((await dues(patient.id)).sessions[0]?.due, '60.00');
  });

  test('refunds need a reason and never exceed what was paid; each is audited', async () => {
    const patient = await createPatient(api, clinicId);
    const id = await session(patient.id, '40.00');
    await pay({ patientId: patient.id, appointmentId: id, amount: '40.00', method: 'CARD' }).expect(201);
    const noReason = expectError(await pay({ patientId: patient.id, appointmentId: id, amount: '-5', method: 'CARD' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(noReason), ['body.reason']);
    expectError(await pay({ patientId: patient.id, appointmentId: id, amount: '-40.01', method: 'CARD', reason: 'x' }), 422, 'REFUND_EXCEEDS_PAID');
    const refund = (await pay({ patientId: patient.id, appointmentId: id, amount: '-5.00', method: 'CARD', reason: 'Late start' }).expect(201)).body as { id: string; refundReason: string };
    assert.equal(refund.refundReason, 'Late start');
    assert.equal((await dues(patient.id)).total, '5.00');
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'payment.refund', entityId: refund.id } });
    assert.equal(audit.actorId, accountant.id);
    const listed = (await api.http.get(PAYMENTS).query({ patientId: patient.id }).set(bearer(accountant)).expect(200)).body as { data: Array<{ amount: string }> };
    assert.deepEqual(listed.data.map((p) => p.amount), ['40.00', '-5.00']);
  });

  test("the front desk and therapists may not record or read payments; another clinic's patient is 404", async () => {
    const patient = await createPatient(api, clinicId);
    await session(patient.id, '10.00');
    expectError(await pay({ patientId: patient.id, amount: '1', method: 'CASH' }, randomUUID(), receptionist), 403, 'FORBIDDEN');
    expectError(await api.http.get(`/api/v1/patients/${patient.id}/outstanding-dues`).set(bearer(therapist)), 403, 'FORBIDDEN');
    const stranger = await createPatient(api, (await createClinic(api, { tier: 'L' })).id);
    expectError(await pay({ patientId: stranger.id, amount: '1', method: 'CASH' }), 404, 'NOT_FOUND');
    expectError(await api.http.get(`/api/v1/patients/${stranger.id}/outstanding-dues`).set(bearer(accountant)), 404, 'NOT_FOUND');
  });
});
