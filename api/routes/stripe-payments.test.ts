/**
 * Card payments through Stripe: payment links created with stripe-node against stripe-mock, and
 * Stripe's webhook events signed with Stripe's own algorithm (stripe-node's test signatures).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { payToken } from '../../activities/payments/pay-links';
import { detailPaths, expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { startStripeMock, type StripeMock } from '../../test/support/stripe-mock';

const WEBHOOK_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;

let mock: StripeMock;
let api: TestApi;
let clinicId: string;
let accountant: Actor;
let therapistId: string;

before(async () => {
  mock = await startStripeMock();
  api = await startTestApi({ STRIPE_SECRET_KEY: 'sk_test_123', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, PROVIDER_ENDPOINTS: JSON.stringify({ stripe: mock.url }) });
  clinicId = (await createClinic(api, { tier: 'L' })).id;
  await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { currency: 'GBP' } });
  accountant = await actor(api, 'ACCOUNTANT', clinicId);
  therapistId = (await actor(api, 'THERAPIST', clinicId)).id;
});
after(async () => {
  await api?.close();
  await mock?.stop();
});

/** A patient owing `price` for one completed session. */
async function owing(price: string) {
  const patient = await createPatient(api, clinicId);
  const startsAt = new Date(Date.UTC(2026, 9, 5, 9) + Math.floor(Math.random() * 1e6) * 3_600_000);
  const endsAt = new Date(startsAt.getTime() + 1_800_000);
  await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: therapistId, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), status: 'COMPLETED', price });
  return patient;
}

/** A Stripe event as Stripe sends it, signed with the endpoint's secret (or another), at a given time. */
function signed(event: object, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET, ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });
  return api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', header).send(payload);
}
const paidEvent = (patientId: string, amountTotal: number, id = `evt_${randomUUID().replaceAll('-', '')}`) => ({
  id,
  object: 'event',
  type: 'checkout.session.completed',
  data: { object: { id: `cs_test_${id}`, object: 'checkout.session', payment_status: 'paid', amount_total: amountTotal, currency: 'gbp', metadata: { clinicId, patientId } } },
});
const stripePayments = (patientId: string) => api.db.prisma.payment.findMany({ where: { patientId, method: 'STRIPE' } });

describe('payment links', () => {
  test("a link for the patient's outstanding total is created through Stripe; nothing due, nothing to pay", async () => {
    const patient = await owing('72.40');
    const res = await api.http.post(`/api/v1/patients/${patient.id}/payment-link`).set(bearer(accountant)).send({}).expect(201);
    const link = res.body as { url: string; stripeSessionId: string; amount: string; currency: string };
    assert.deepEqual([link.amount, link.currency], ['72.40', 'GBP']);
    assert.match(link.stripeSessionId, /^cs_/);
    assert.match(link.url, /^https:\/\//);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'payment.link', entityId: patient.id } });
    assert.deepEqual((audit.changes as { after: { amount: string } }).after.amount, '72.40');

    const settled = await createPatient(api, clinicId);
    expectError(await api.http.post(`/api/v1/patients/${settled.id}/payment-link`).set(bearer(accountant)).send({}), 422, 'NOTHING_DUE');
  });

  test('return URLs must be https (http only for localhost) on an origin the clinic allows', async () => {
    const patient = await owing('12.00');
    const link = (body: object) => api.http.post(`/api/v1/patients/${patient.id}/payment-link`).set(bearer(accountant)).send(body);
    for (const [field, url] of [
      ['successUrl', 'javascript:alert(document.cookie)'],
      ['cancelUrl', 'data:text/html,<script>alert(1)</script>'],
      ['successUrl', 'http://pay.sunrise.example/thanks'],
      ['cancelUrl', 'ftp://pay.sunrise.example/'],
    ] as const) {
      assert.deepEqual(detailPaths(expectError(await link({ [field]: url }), 400, 'VALIDATION_ERROR')), [`body.${field}`], url);
    }
    const stranger = expectError(await link({ successUrl: 'https://pay.sunrise.example/thanks', cancelUrl: 'https://evil.example/' }), 422, 'RETURN_URL_NOT_ALLOWED');
    assert.deepEqual(detailPaths(stranger), ['body.cancelUrl', 'body.successUrl']);
    assert.equal(await api.db.prisma.auditLog.count({ where: { action: 'payment.link', entityId: patient.id } }), 0);

    const admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { paymentReturnOrigins: ['https://pay.sunrise.example'] } }).expect(200);
    expectError(await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { paymentReturnOrigins: ['http://pay.sunrise.example'] } }), 400, 'VALIDATION_ERROR');
    await link({ successUrl: 'https://pay.sunrise.example/thanks', cancelUrl: 'https://pay.sunrise.example/cancelled' }).expect(201);
    // The API's own origin (PUBLIC_API_URL, here a local one) is always allowed, over http for localhost.
    await link({ successUrl: 'http://localhost:3000/paid' }).expect(201);
  });

  test("a reminder's pay link expires a month after the chase's last follow-up, and its token never reaches the log", async () => {
    const patient = await createPatient(api, clinicId);
    const run = await api.db.prisma.paymentReminderRun.create({ data: { clinicId, month: '2026-01', workflowId: `payment-reminders/${clinicId}/2026-01`, trigger: 'MANUAL' } });
    const reminderAt = async (daysAgo: number, patientId: string) => {
      const reminder = await api.db.prisma.paymentReminder.create({ data: { clinicId, runId: run.id, patientId, amount: '10.00', currency: 'GBP', createdAt: new Date(Date.now() - daysAgo * 86_400_000) } });
      return `/api/v1/pay/${payToken(api.config.JWT_SECRET, reminder.id)}`;
    };
    // Default follow-ups after 7 and 14 days: links work for 45 days.
    const fresh = await reminderAt(44, patient.id);
    const stale = await reminderAt(46, (await createPatient(api, clinicId)).id);
    const open = await api.http.get(fresh).redirects(0).expect(200);
    assert.match(open.text, /nothing is owed/);
    expectError(await api.http.get(stale).redirects(0), 410, 'PAYMENT_LINK_EXPIRED');
    for (const link of [fresh, stale]) assert.equal(api.logs().includes(link.split('/').pop()!), false, 'the token is in the log');
    assert.match(api.logs(), /\/api\/v1\/pay\/\[redacted\]/);
  });
});

describe('the Stripe webhook', () => {
  test('a paid Checkout Session is recorded once, however often Stripe sends the event', async () => {
    const patient = await owing('72.40');
    const event = paidEvent(patient.id, 7240);
    for (let i = 0; i < 3; i++) await signed(event).expect(200);
    const payments = await stripePayments(patient.id);
    assert.deepEqual(payments.map((p) => [p.amount.toFixed(2), p.currency, p.appointmentId]), [['72.40', 'GBP', null]]);
    const dues = (await api.http.get(`/api/v1/patients/${patient.id}/outstanding-dues`).set(bearer(accountant)).expect(200)).body as { total: string };
    assert.equal(dues.total, '0.00');
    // Its receipt, once, written with it.
    const receipts = await api.db.prisma.receipt.findMany({ where: { paymentId: payments[0]!.id } });
    assert.deepEqual(receipts.map((r) => [r.amount.toFixed(2), r.method, /^RCT-\d{4}-\d{6}$/.test(r.number)]), [['72.40', 'STRIPE', true]]);
  });

  test('more than was due becomes prepaid credit', async () => {
    const patient = await owing('10.00');
    await signed(paidEvent(patient.id, 1550)).expect(200);
    assert.deepEqual((await stripePayments(patient.id)).map((p) => p.amount.toFixed(2)), ['10.00']);
    const credit = (await api.http.get(`/api/v1/patients/${patient.id}/credits`).set(bearer(accountant)).expect(200)).body as { balance: string };
    assert.equal(credit.balance, '5.50');
  });

  test('forged, stale or unsigned events get 400 and record nothing', async () => {
    const patient = await owing('20.00');
    expectError(await signed(paidEvent(patient.id, 2000), { secret: 'whsec_someoneelse' }), 400, 'INVALID_SIGNATURE');
    expectError(await signed(paidEvent(patient.id, 2000), { timestamp: Math.floor(Date.now() / 1000) - 600 }), 400, 'INVALID_SIGNATURE');
    expectError(await api.http.post('/api/v1/webhooks/stripe').send(paidEvent(patient.id, 2000)), 400, 'INVALID_SIGNATURE');
    // A genuine signature over one body does not cover another.
    const header = Stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(paidEvent(patient.id, 1)), secret: WEBHOOK_SECRET });
    expectError(await api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', header).send(JSON.stringify(paidEvent(patient.id, 2000))), 400, 'INVALID_SIGNATURE');
    assert.deepEqual(await stripePayments(patient.id), []);
  });

  test("an event naming a patient of another clinic records nothing in either", async () => {
    const patient = await owing('20.00');
    const otherClinic = (await createClinic(api, { tier: 'L' })).id;
    const event = paidEvent(patient.id, 2000);
    event.data.object.metadata.clinicId = otherClinic;
    await signed(event).expect(200);
    assert.deepEqual(await stripePayments(patient.id), []);
  });
});
