/**
 * Idempotency keys stand for one request (Stripe's rule), on every write that takes one: bookings,
 * payments and credit top-ups, through the real API over real PostgreSQL. The same key with the
 * same request replays the first answer; with another body or path, or more than 24 hours later,
 * it is 422 IDEMPOTENCY_KEY_REUSED and nothing new is written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Request } from 'express';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { createPatient, hoursAhead, insertAppointment, ROUND_THE_CLOCK } from '../../test/support/scheduling';
import { requestFingerprint } from './idempotency-key';

let api: TestApi;
let clinicId: string;
let admin: Actor;
let accountant: Actor;
let therapist: Actor;

before(async () => {
  api = await startTestApi();
  clinicId = (await createClinic(api, { tier: 'L' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  accountant = await actor(api, 'ACCOUNTANT', clinicId);
  therapist = await actor(api, 'THERAPIST', clinicId);
  await api.http.put(`/api/v1/practitioners/${therapist.id}/working-hours`).set(bearer(admin)).send({ weekly: ROUND_THE_CLOCK }).expect(200);
});

after(async () => {
  // The bookings started lifecycle workflows that no worker runs here.
  const rows = await api?.db.prisma.appointment.findMany({ where: { clinicId }, select: { workflowId: true } });
  for (const { workflowId } of rows ?? []) await api.temporal.client.workflow.getHandle(workflowId).terminate('test done').catch(() => undefined);
  await api?.close();
});

const post = (path: string, key: string, body: object, who: Actor = admin) => api.http.post(path).set(bearer(who)).set('Idempotency-Key', key).send(body);

/** Makes every row written under `key` look older than the 24-hour window. */
async function ageKey(table: 'appointment' | 'payment' | 'creditEntry', key: string): Promise<void> {
  const longAgo = new Date(Date.now() - 25 * 3_600_000);
  if (table === 'appointment') await api.db.prisma.appointment.updateMany({ where: { idempotencyKey: key }, data: { createdAt: longAgo } });
  if (table === 'payment') await api.db.prisma.payment.updateMany({ where: { idempotencyKey: key }, data: { createdAt: longAgo } });
  if (table === 'creditEntry') await api.db.prisma.creditEntry.updateMany({ where: { idempotencyKey: key }, data: { createdAt: longAgo } });
}

describe('bookings', () => {
  test('same key, same booking: the same appointment; other body: 422 and no second appointment; after 24 h: 422', async () => {
    const patient = await createPatient(api, clinicId);
    const key = `book-${randomUUID()}`;
    const body = { patientId: patient.id, practitionerId: therapist.id, startsAt: hoursAhead(30).toISOString(), durationMinutes: 30, type: 'TREATMENT' };
    const first = (await post('/api/v1/appointments', key, body).expect(201)).body as { id: string };
    // The same request, its fields in another order: a replay.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await post('/api/v1/appointments', key, reordered).expect(201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal((again.body as { id: string }).id, first.id);

    const other = await post('/api/v1/appointments', key, { ...body, startsAt: hoursAhead(40).toISOString() });
    const error = expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.deepEqual(error.details, [{ path: 'headers.idempotency-key', message: 'already used' }]);
    assert.equal(await api.db.prisma.appointment.count({ where: { patientId: patient.id } }), 1, 'nothing new was booked');
    assert.match((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: first.id } })).idempotencyFingerprint ?? '', /^[0-9a-f]{64}$/);

    await ageKey('appointment', key);
    expectError(await post('/api/v1/appointments', key, body), 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await api.db.prisma.appointment.count({ where: { patientId: patient.id } }), 1);
  });
});

describe('payments', () => {
  test('same key, another amount: 422 and only the first payment counts; the same request replays', async () => {
    const patient = await createPatient(api, clinicId);
    const startsAt = new Date(Date.UTC(2026, 9, 1, 8));
    await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(), status: 'COMPLETED', price: '100.00' });
    const key = `pay-${randomUUID()}`;
    const body = { patientId: patient.id, amount: '40.00', method: 'CASH' };
    const first = (await post('/api/v1/payments', key, body, accountant).expect(201)).body as { id: string };
    const replay = await post('/api/v1/payments', key, body, accountant).expect(201);
    assert.deepEqual([replay.headers['idempotent-replayed'], (replay.body as { id: string }).id], ['true', first.id]);

    // The client believes its second payment was recorded: it must hear that it was not.
    expectError(await post('/api/v1/payments', key, { ...body, amount: '45.00' }, accountant), 422, 'IDEMPOTENCY_KEY_REUSED');
    const payments = await api.db.prisma.payment.findMany({ where: { patientId: patient.id } });
    assert.deepEqual(payments.map((p) => p.amount.toFixed(2)), ['40.00']);

    await ageKey('payment', key);
    expectError(await post('/api/v1/payments', key, body, accountant), 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await api.db.prisma.payment.count({ where: { patientId: patient.id } }), 1);
  });
});

describe('credit top-ups', () => {
  test('same key on another patient or with another amount: 422 and the balances stay; the same request replays', async () => {
    const [ana, ben] = [await createPatient(api, clinicId), await createPatient(api, clinicId)];
    const key = `topup-${randomUUID()}`;
    const topUp = (patientId: string, amount: string) => post(`/api/v1/patients/${patientId}/credits`, key, { amount, method: 'CARD' }, accountant);
    assert.equal(((await topUp(ana.id, '25.00').expect(201)).body as { balance: string }).balance, '25.00');
    const replay = await topUp(ana.id, '25.00').expect(201);
    assert.deepEqual([replay.headers['idempotent-replayed'], (replay.body as { balance: string }).balance], ['true', '25.00']);

    expectError(await topUp(ana.id, '30.00'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expectError(await topUp(ben.id, '25.00'), 422, 'IDEMPOTENCY_KEY_REUSED');
    const balances = await api.db.prisma.creditEntry.groupBy({ by: ['patientId'], where: { patientId: { in: [ana.id, ben.id] } }, _sum: { amount: true } });
    assert.deepEqual(balances.map((b) => [b.patientId, b._sum.amount?.toFixed(2)]), [[ana.id, '25.00']]);

    await ageKey('creditEntry', key);
    expectError(await topUp(ana.id, '25.00'), 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('requestFingerprint', () => {
  const req = (method: string, baseUrl: string, path: string, body: unknown) => ({ method, baseUrl, path, body }) as unknown as Request;

  test('method, path and body decide; key order and a trailing slash do not', () => {
    const base = requestFingerprint(req('POST', '/api/v1/payments', '/', { a: 1, b: { c: [1, 2], d: 'x' } }));
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(requestFingerprint(req('post', '/api/v1/payments', '', { b: { d: 'x', c: [1, 2] }, a: 1 })), base);
    assert.notEqual(requestFingerprint(req('POST', '/api/v1/payments', '/', { a: 1, b: { c: [2, 1], d: 'x' } })), base, 'array order matters');
    assert.notEqual(requestFingerprint(req('PUT', '/api/v1/payments', '/', { a: 1, b: { c: [1, 2], d: 'x' } })), base);
    assert.notEqual(requestFingerprint(req('POST', '/api/v1/patients/1/credits', '', { a: 1, b: { c: [1, 2], d: 'x' } })), base);
    assert.notEqual(requestFingerprint(req('POST', '/api/v1/payments', '/', { a: '1', b: { c: [1, 2], d: 'x' } })), base, 'types matter');
  });
});
