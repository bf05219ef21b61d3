/**
 * Packages and subscriptions through the real API, over real PostgreSQL, the Temporal dev server
 * with a real worker, and stripe-mock: plans, selling by a recorded payment and by a Stripe
 * webhook, booking sessions from a package (the last session booked twice at once), giving a
 * session back on an early cancellation and spending it on a late one or a no-show, steering the
 * package's workflow (pause, resume, cancel at period end), the package-sales figure, and who may
 * do what.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { packageStateQuery } from '../../domain/packages';
import { TASK_QUEUES, workflowIds } from '../../domain/temporal';
import { packageSales } from '../../prisma/package-accounts';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { Prisma } from '../../prisma/generated/client';
import { createAppointmentActivities } from '../../activities/appointments/appointment-activities';
import { createPatient, hoursAhead, ROUND_THE_CLOCK } from '../../test/support/scheduling';
import { startStripeMock, type StripeMock } from '../../test/support/stripe-mock';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const WEBHOOK_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let mock: StripeMock;
let api: TestApi;
let worker: TestWorker;
let clinicId: string;
let admin: Actor;
let desk: Actor;
let accountant: Actor;
let therapist: Actor;
let physio: string;
let massage: string;
let tenSessions: { id: string };
let monthly: { id: string };
const workflows: string[] = [];

/** Retries an assertion until it holds (the worker gets there on its own), for up to 15 s. */
async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

before(async () => {
  mock = await startStripeMock();
  api = await startTestApi({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, PROVIDER_ENDPOINTS: JSON.stringify({ stripe: mock.url }) });
  worker = await startTestWorker(api);
  clinicId = (await createClinic(api, { tier: 'L', timezone: 'UTC' })).id;
  await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { currency: 'INR', settings: { packages: { cancellationWindowHours: 24 } } } });
  [admin, desk, accountant, therapist] = await Promise.all([actor(api, 'CLINIC_ADMIN', clinicId), actor(api, 'RECEPTIONIST', clinicId), actor(api, 'ACCOUNTANT', clinicId), actor(api, 'THERAPIST', clinicId)]);
  await api.db.prisma.practitionerSchedule.create({ data: { clinicId, practitionerId: therapist.id, weekly: ROUND_THE_CLOCK } });
  physio = (await api.db.prisma.therapyType.create({ data: { clinicId, name: 'Physiotherapy', defaultDurationMinutes: 45, defaultPrice: '120.00', currency: 'INR' } })).id;
  massage = (await api.db.prisma.therapyType.create({ data: { clinicId, name: 'Massage', defaultDurationMinutes: 30, defaultPrice: '80.00', currency: 'INR' } })).id;
});

after(async () => {
  for (const id of workflows) await api.temporal.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  await worker?.stop();
  await api?.close();
  await mock?.stop();
});

const createPlan = (who: Actor, body: object) => api.http.post('/api/v1/package-plans').set(bearer(who)).send(body);
const sell = (who: Actor, patientId: string, body: object, key = randomUUID()) => api.http.post(`/api/v1/patients/${patientId}/packages`).set(bearer(who)).set('Idempotency-Key', key).send(body);
const book = (patientId: string, startsAt: Date, extra: object = {}, key = randomUUID()) =>
  api.http
    .post('/api/v1/appointments')
    .set(bearer(desk))
    .set('Idempotency-Key', key)
    .send({ patientId, practitionerId: therapist.id, startsAt: startsAt.toISOString(), therapyTypeId: physio, type: 'TREATMENT', ...extra });
/** A free time of the therapist's, two days ahead or later: each booking of this file gets its own. */
let lastHour = 48;
const slot = () => hoursAhead((lastHour += 2));
const packageRow = (id: string) => api.db.prisma.patientPackage.findUniqueOrThrow({ where: { id }, include: { charges: true } });

type Sold = { id: string; status: string; sessionsRemaining: number; expiresAt: string | null; workflowId: string; checkoutUrl: string | null; charges: Array<{ id: string; status: string; amount: string }> };

/** A patient with the 10-session package, paid in cash. */
async function patientWithPackage(): Promise<{ patientId: string; pkg: Sold }> {
  const patient = await createPatient(api, clinicId);
  const res = await sell(desk, patient.id, { planId: tenSessions.id, method: 'CASH' }).expect(201);
  const pkg = res.body as Sold;
  workflows.push(pkg.workflowId);
  return { patientId: patient.id, pkg };
}

describe('plans', () => {
  test('a package and a subscription are defined for the therapy types they cover; archiving takes a plan off sale', async () => {
    const res = await createPlan(admin, { name: '10 physiotherapy sessions', kind: 'PACKAGE', sessions: 10, validityDays: 90, price: '900.00', therapyTypeIds: [physio] }).expect(201);
    tenSessions = res.body as { id: string };
    assert.deepEqual((({ kind, sessions, validityDays, price, currency, therapyTypeIds }) => ({ kind, sessions, validityDays, price, currency, therapyTypeIds }))(res.body as Record<string, unknown>), {
      kind: 'PACKAGE',
      sessions: 10,
      validityDays: 90,
      price: '900.00',
      currency: 'INR',
      therapyTypeIds: [physio],
    });
    monthly = (await createPlan(admin, { name: '4 sessions a month', kind: 'SUBSCRIPTION', sessions: 4, price: '350.00', therapyTypeIds: [physio, massage] }).expect(201)).body as { id: string };
    // A package needs its validity; a subscription has none (monthly).
    expectError(await createPlan(admin, { name: 'No validity', kind: 'PACKAGE', sessions: 5, price: '10', therapyTypeIds: [physio] }), 400, 'VALIDATION_ERROR');
    expectError(await createPlan(admin, { name: 'Unknown type', kind: 'SUBSCRIPTION', sessions: 5, price: '10', therapyTypeIds: [randomUUID()] }), 404, 'NOT_FOUND');
    expectError(await createPlan(admin, { name: '10 physiotherapy sessions', kind: 'SUBSCRIPTION', sessions: 5, price: '10', therapyTypeIds: [physio] }), 409, 'PLAN_EXISTS');

    const old = (await createPlan(admin, { name: 'Old offer', kind: 'PACKAGE', sessions: 3, validityDays: 30, price: '200', therapyTypeIds: [massage] }).expect(201)).body as { id: string };
    await api.http.patch(`/api/v1/package-plans/${old.id}`).set(bearer(admin)).send({ name: 'Older offer' }).expect(200);
    await api.http.post(`/api/v1/package-plans/${old.id}/archive`).set(bearer(admin)).expect(200);
    const onSale = (await api.http.get('/api/v1/package-plans').set(bearer(therapist)).expect(200)).body as { data: Array<{ id: string }> };
    assert.deepEqual(onSale.data.map((p) => p.id).sort(), [tenSessions.id, monthly.id].sort());
    const archived = (await api.http.get('/api/v1/package-plans?archived=true').set(bearer(admin)).expect(200)).body as { data: Array<{ id: string; name: string }> };
    assert.deepEqual(archived.data.map((p) => p.name), ['Older offer']);
    const patient = await createPatient(api, clinicId);
    expectError(await sell(desk, patient.id, { planId: old.id, method: 'CASH' }), 422, 'PLAN_ARCHIVED');
  });
});

describe('selling', () => {
  test('by a recorded payment: active at once, its Payment names the charge and is not money on account; the same key sells nothing twice', async () => {
    const patient = await createPatient(api, clinicId);
    const key = randomUUID();
    const res = await sell(desk, patient.id, { planId: tenSessions.id, method: 'CASH' }, key).expect(201);
    const sold = res.body as Sold;
    workflows.push(sold.workflowId);
    assert.deepEqual([sold.status, sold.sessionsRemaining, sold.charges.map((c) => [c.status, c.amount])], ['ACTIVE', 10, [['PAID', '900.00']]]);
    assert.ok(Math.abs(new Date(sold.expiresAt!).getTime() - (Date.now() + 90 * DAY)) < 60_000, 'valid 90 days from now');
    assert.equal(sold.workflowId, `package/${clinicId}/${sold.id}`);
    const payments = await api.db.prisma.payment.findMany({ where: { patientId: patient.id } });
    assert.deepEqual(payments.map((p) => [p.amount.toFixed(2), p.method, p.packageChargeId]), [['900.00', 'CASH', sold.charges[0]!.id]]);
    const receipt = await api.db.prisma.receipt.findUniqueOrThrow({ where: { paymentId: payments[0]!.id } });
    assert.deepEqual([receipt.amount.toFixed(2), receipt.number.startsWith('RCT-')], ['900.00', true]);
    const dues = (await api.http.get(`/api/v1/patients/${patient.id}/outstanding-dues`).set(bearer(accountant)).expect(200)).body as { onAccount: string; total: string };
    assert.deepEqual([dues.onAccount, dues.total], ['0.00', '0.00']);
    const again = await sell(desk, patient.id, { planId: tenSessions.id, method: 'CASH' }, key).expect(201);
    assert.equal((again.body as Sold).id, sold.id);
    assert.equal(await api.db.prisma.patientPackage.count({ where: { patientId: patient.id } }), 1);
    // The workflow runs: it waits for the reminder seven days before expiry.
    await eventually(async () => {
      const state = await api.temporal.client.workflow.getHandle(sold.workflowId).query(packageStateQuery);
      assert.equal(state.next.kind, 'remind-expiry');
      assert.equal(state.next.at, new Date(new Date(sold.expiresAt!).getTime() - 7 * DAY).toISOString());
    });
    // From credit: refused while the credit does not cover it.
    expectError(await sell(desk, patient.id, { planId: monthly.id, method: 'CREDIT' }), 422, 'INSUFFICIENT_CREDIT');
  });

  test('by Stripe: pending until the webhook reports the Checkout paid, once per event', async () => {
    const patient = await createPatient(api, clinicId);
    const res = await sell(accountant, patient.id, { planId: monthly.id, method: 'STRIPE' }).expect(201);
    const sold = res.body as Sold;
    workflows.push(sold.workflowId);
    assert.equal(sold.status, 'PENDING_PAYMENT');
    assert.match(sold.checkoutUrl ?? '', /^https:\/\//);
    const chargeId = sold.charges[0]!.id;
    const id = `evt_${randomUUID().replaceAll('-', '')}`;
    const event = { id, object: 'event', type: 'checkout.session.completed', data: { object: { id: `cs_test_${id}`, object: 'checkout.session', payment_status: 'paid', amount_total: 35_000, currency: 'inr', metadata: { clinicId, patientId: patient.id, packageChargeId: chargeId } } } };
    const payload = JSON.stringify(event);
    const send = () => api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET })).send(payload).expect(200);
    await send();
    await send();
    const row = await packageRow(sold.id);
    assert.deepEqual([row.status, row.charges[0]!.status, row.sessionsRemaining], ['ACTIVE', 'PAID', 4]);
    assert.ok(row.expiresAt && row.periodStart && row.expiresAt.getTime() - row.periodStart.getTime() >= 28 * DAY, 'a month from payment');
    const payments = await api.db.prisma.payment.findMany({ where: { patientId: patient.id } });
    assert.deepEqual(payments.map((p) => [p.amount.toFixed(2), p.method, p.packageChargeId]), [['350.00', 'STRIPE', chargeId]]);
    // Its workflow was told and now waits for the month's end to renew.
    await eventually(async () => assert.equal((await api.temporal.client.workflow.getHandle(sold.workflowId).query(packageStateQuery)).next.kind, 'renew'));
  });
});

describe('booking from a package', () => {
  test('a covered type takes a session and is priced 0.00; another type is priced as today; require refuses without one', async () => {
    const { patientId, pkg } = await patientWithPackage();
    const covered = await book(patientId, slot()).expect(201);
    assert.deepEqual([(covered.body as { patientPackageId: string }).patientPackageId, (covered.body as { price: string }).price], [pkg.id, '0.00']);
    const other = await book(patientId, slot(), { therapyTypeId: massage }).expect(201);
    assert.deepEqual([(other.body as { patientPackageId: string | null }).patientPackageId, (other.body as { price: string }).price], [null, '80.00']);
    expectError(await book(patientId, slot(), { therapyTypeId: massage, usePackage: 'require' }), 422, 'NO_PACKAGE_SESSION');
    // The seed-002 alias requires the package.
    expectError(
      await api.http.post('/api/v1/appointments/subscriptions').set(bearer(desk)).set('Idempotency-Key', randomUUID()).send({ patientId, practitionerId: therapist.id, startsAt: slot().toISOString(), therapyTypeId: massage, type: 'TREATMENT' }),
      422,
      'NO_PACKAGE_SESSION',
    );
    const viaAlias = await api.http.post('/api/v1/appointments/subscriptions').set(bearer(desk)).set('Idempotency-Key', randomUUID()).send({ patientId, practitionerId: therapist.id, startsAt: slot().toISOString(), therapyTypeId: physio, type: 'TREATMENT' }).expect(201);
    assert.equal((viaAlias.body as { patientPackageId: string }).patientPackageId, pkg.id);
    const list = (await api.http.get(`/api/v1/patients/${patientId}/packages`).set(bearer(desk)).expect(200)).body as { data: Array<{ sessionsRemaining: number; sessionsHeld: number; status: string; expiresAt: string }> };
    assert.deepEqual([list.data[0]!.sessionsRemaining, list.data[0]!.sessionsHeld, list.data[0]!.status], [8, 2, 'ACTIVE']);
  });

  test('the last session booked twice at once: one takes it, the other is priced as today; with require the other is refused', async () => {
    for (const usePackage of ['auto', 'require'] as const) {
      const { patientId, pkg } = await patientWithPackage();
      await api.db.prisma.patientPackage.update({ where: { id: pkg.id }, data: { sessionsRemaining: 1 } });
      const answers = await Promise.all([book(patientId, slot(), { usePackage }), book(patientId, slot(), { usePackage })]);
      const fromPackage = answers.filter((r) => r.status === 201 && (r.body as { patientPackageId: string | null }).patientPackageId === pkg.id);
      assert.equal(fromPackage.length, 1, `${usePackage}: exactly one booking took the last session`);
      const other = answers.find((r) => !fromPackage.includes(r))!;
      if (usePackage === 'auto') assert.deepEqual([other.status, (other.body as { price: string; patientPackageId: null }).price, (other.body as { patientPackageId: null }).patientPackageId], [201, '120.00', null]);
      else expectError(other, 422, 'NO_PACKAGE_SESSION');
      const row = await packageRow(pkg.id);
      assert.equal(row.sessionsRemaining, 0);
      assert.equal(await api.db.prisma.packageSessionUse.count({ where: { patientPackageId: pkg.id, status: 'HELD' } }), 1);
    }
  });
});

describe('ending a session booked from a package', () => {
  const steerTo = (id: string, action: string, body: object = {}) => api.http.post(`/api/v1/appointments/${id}/${action}`).set(bearer(desk)).send(body);

  test('a cancellation before the window gives the session back; a late one and a no-show spend it', async () => {
    const { patientId, pkg } = await patientWithPackage();
    const early = (await book(patientId, slot()).expect(201)).body as { id: string };
    const late = (await book(patientId, hoursAhead(3)).expect(201)).body as { id: string };
    // A no-show can be marked only once the session was due: its transition (the activity the workflow runs) is applied directly.
    const missed = (await book(patientId, hoursAhead(6)).expect(201)).body as { id: string };
    assert.equal((await packageRow(pkg.id)).sessionsRemaining, 7);

    await eventually(async () => assert.equal((await steerTo(early.id, 'cancel', { reason: 'travelling' })).status, 200));
    assert.equal((await packageRow(pkg.id)).sessionsRemaining, 8, 'given back');
    await eventually(async () => assert.equal((await steerTo(late.id, 'cancel', { reason: 'overslept' })).status, 200));
    assert.equal((await packageRow(pkg.id)).sessionsRemaining, 8, 'spent');
    await createAppointmentActivities({ prisma: api.db.prisma }).applyAppointmentTransition({ clinicId, appointmentId: missed.id, action: 'noShow', at: Date.now() + 7 * HOUR });
    assert.equal((await packageRow(pkg.id)).sessionsRemaining, 8, 'spent');
    const uses = await api.db.prisma.packageSessionUse.findMany({ where: { patientPackageId: pkg.id } });
    const byAppointment = Object.fromEntries(uses.map((u) => [u.appointmentId, u.status]));
    assert.deepEqual([byAppointment[early.id], byAppointment[late.id], byAppointment[missed.id]], ['RETURNED', 'USED', 'USED']);
  });

  test('a clinic that does not charge late cancellations gives those back too', async () => {
    await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { settings: { packages: { cancellationWindowHours: 24, lateCancellationUsesSession: false } } } });
    try {
      const { patientId, pkg } = await patientWithPackage();
      const late = (await book(patientId, hoursAhead(2)).expect(201)).body as { id: string };
      await eventually(async () => assert.equal((await steerTo(late.id, 'cancel', { reason: 'ill' })).status, 200));
      assert.equal((await packageRow(pkg.id)).sessionsRemaining, 10);
    } finally {
      await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { settings: { packages: { cancellationWindowHours: 24 } } } });
    }
  });
});

describe("steering a package's workflow", () => {
  test('a sold package whose workflow never started (the API died after the commit) is started by the start reconciler, once', async () => {
    const patient = await createPatient(api, clinicId);
    const id = randomUUID();
    await api.db.prisma.patientPackage.create({
      data: {
        id, clinicId, patientId: patient.id, planId: tenSessions.id, kind: 'PACKAGE', name: '10 physiotherapy sessions', therapyTypeIds: [physio], sessionsPerPeriod: 10, sessionsRemaining: 10,
        price: '900.00', currency: 'INR', status: 'ACTIVE', periodStart: new Date(), expiresAt: new Date(Date.now() + 90 * DAY), idempotencyKey: id,
        workflowId: workflowIds.package(clinicId, id), createdAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    const run = async () =>
      (await api.temporal.client.workflow.execute('startReconcilerWorkflow', { taskQueue: TASK_QUEUES.operations, workflowId: `start-reconciler-test-${randomUUID()}` })) as { packagesStarted: number };
    assert.ok((await run()).packagesStarted >= 1);
    workflows.push(workflowIds.package(clinicId, id));
    const handle = api.temporal.client.workflow.getHandle(workflowIds.package(clinicId, id));
    const first = await handle.describe();
    assert.equal(first.status.name, 'RUNNING');
    assert.ok((await packageRow(id)).workflowStartedAt, 'the row is marked');
    await eventually(async () => assert.equal((await handle.query(packageStateQuery)).next.kind, 'remind-expiry'));
    await run();
    assert.equal((await handle.describe()).runId, first.runId, 'started once');
  });

  test('pause moves the expiry by the pause; a package cannot be cancelled at period end, a subscription can', async () => {
    const { pkg } = await patientWithPackage();
    const before = (await packageRow(pkg.id)).expiresAt!.getTime();
    await eventually(async () => assert.equal((await api.http.post(`/api/v1/patient-packages/${pkg.id}/pause`).set(bearer(desk)).send({})).status, 200));
    assert.equal((await packageRow(pkg.id)).status, 'PAUSED');
    expectError(await api.http.post(`/api/v1/patient-packages/${pkg.id}/pause`).set(bearer(desk)).send({}), 409, 'INVALID_TRANSITION');
    await new Promise((r) => setTimeout(r, 1_500));
    const resumed = (await api.http.post(`/api/v1/patient-packages/${pkg.id}/resume`).set(bearer(desk)).send({}).expect(200)).body as { status: string; expiresAt: string };
    assert.equal(resumed.status, 'ACTIVE');
    const shift = new Date(resumed.expiresAt).getTime() - before;
    assert.ok(shift >= 1_500 && shift < 30_000, `the expiry moved by the pause (${shift} ms)`);
    expectError(await api.http.post(`/api/v1/patient-packages/${pkg.id}/cancel-at-period-end`).set(bearer(desk)).send({}), 409, 'INVALID_TRANSITION');

    const patient = await createPatient(api, clinicId);
    const sub = (await sell(desk, patient.id, { planId: monthly.id, method: 'CARD' }).expect(201)).body as Sold;
    workflows.push(sub.workflowId);
    const cancelled = (await api.http.post(`/api/v1/patient-packages/${sub.id}/cancel-at-period-end`).set(bearer(desk)).send({}).expect(200)).body as { cancelAtPeriodEnd: boolean };
    assert.equal(cancelled.cancelAtPeriodEnd, true);
    await eventually(async () => assert.equal((await api.temporal.client.workflow.getHandle(sub.workflowId).query(packageStateQuery)).next.kind, 'remind-expiry'));
  });
});

describe('package sales', () => {
  test('what patients paid for packages in a period, per plan, in one query', async () => {
    const from = new Date(Date.now() - HOUR);
    const to = new Date(Date.now() + HOUR);
    const paid = await api.db.prisma.payment.findMany({ where: { clinicId, packageChargeId: { not: null }, createdAt: { gte: from, lt: to } } });
    const sales = await packageSales(api.db.prisma, clinicId, from, to);
    assert.equal(sales.currency, 'INR');
    assert.equal(sales.count, paid.length);
    assert.equal(sales.total, paid.reduce((sum, p) => sum.plus(p.amount), new Prisma.Decimal(0)).toFixed(2));
    assert.ok(paid.length >= 5, 'the sales of the tests above');
    assert.deepEqual(sales.byPlan.map((p) => p.name).sort(), ['10 physiotherapy sessions', '4 sessions a month']);
    assert.deepEqual((await packageSales(api.db.prisma, clinicId, new Date(0), new Date(1))).byPlan, []);
  });
});

describe('who may do what', () => {
  test('only admins and managers define plans; the front desk and accountants sell; practitioners read their own patients only', async () => {
    expectError(await createPlan(desk, { name: 'Desk plan', kind: 'SUBSCRIPTION', sessions: 1, price: '1', therapyTypeIds: [physio] }), 403, 'FORBIDDEN');
    const patient = await createPatient(api, clinicId);
    expectError(await sell(therapist, patient.id, { planId: tenSessions.id, method: 'CASH' }), 403, 'FORBIDDEN');
    // Not the therapist's patient (no session with them): 404, like another clinic's.
    expectError(await api.http.get(`/api/v1/patients/${patient.id}/packages`).set(bearer(therapist)), 404, 'NOT_FOUND');
    const { patientId, pkg } = await patientWithPackage();
    await book(patientId, slot()).expect(201);
    const own = (await api.http.get(`/api/v1/patients/${patientId}/packages`).set(bearer(therapist)).expect(200)).body as { data: Array<{ id: string }> };
    assert.deepEqual(own.data.map((p) => p.id), [pkg.id]);
    expectError(await api.http.post(`/api/v1/patient-packages/${pkg.id}/pause`).set(bearer(therapist)).send({}), 403, 'FORBIDDEN');
    expectError(await api.http.post(`/api/v1/patient-packages/${pkg.id}/charges/${pkg.charges[0]!.id}/payments`).set(bearer(desk)).set('Idempotency-Key', randomUUID()).send({ method: 'CASH' }), 403, 'FORBIDDEN');
    expectError(await api.http.post(`/api/v1/patient-packages/${pkg.id}/charges/${pkg.charges[0]!.id}/payments`).set(bearer(accountant)).set('Idempotency-Key', randomUUID()).send({ method: 'CASH' }), 409, 'NOT_DUE');
  });
});
