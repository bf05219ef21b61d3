/**
 * Clinics paying for their licence tier through Stripe Billing: the subscription set up with
 * stripe-node against stripe-mock, Stripe's invoice and subscription events signed with Stripe's
 * own algorithm moving the clinic ACTIVE → PAST_DUE → SUSPENDED → CANCELLED (admins e-mailed when it
 * falls past due, through a real worker and SMTP peer), and an approved tier change carried to Stripe.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import Stripe from 'stripe';
import { type SmtpPeer, startSmtpPeer } from '../../test/fakes/smtp-peer';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { startStripeMock, type StripeMock } from '../../test/support/stripe-mock';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const WEBHOOK_SECRET = `whsec_${randomUUID().replaceAll('-', '')}`;
const SMTP_ACCOUNT = { username: 'billing-desk', password: 'billing-smtp-password-1' };
const PRICES = { S: 'price_small', M: 'price_medium', L: 'price_large' };

let mock: StripeMock;
let smtp: SmtpPeer;
let api: TestApi;
let worker: TestWorker;
let superAdmin: Actor;

before(async () => {
  [mock, smtp] = await Promise.all([startStripeMock(), startSmtpPeer(SMTP_ACCOUNT)]);
  api = await startTestApi({
    STRIPE_SECRET_KEY: 'sk_test_123',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_TIER_PRICES: JSON.stringify(PRICES),
    PROVIDER_ENDPOINTS: JSON.stringify({ stripe: mock.url }),
    GLOBAL_MESSAGING_CONFIG: JSON.stringify({ email: { providers: [{ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, secure: false, ...SMTP_ACCOUNT, fromAddress: 'billing@clinicflow.test' } }] } }),
  });
  worker = await startTestWorker(api, { smtp: smtp.url });
  superAdmin = await actor(api, 'SUPER_ADMIN', null);
});
after(async () => {
  await worker?.stop();
  await api?.close();
  await Promise.all([mock?.stop(), smtp?.stop()]);
});

/** A clinic billed through Stripe (as POST /billing leaves it), with its admin. */
async function billedClinic(tier = 'S') {
  const clinic = await createClinic(api, { tier });
  const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
  const res = await api.http.post(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(superAdmin)).expect(201);
  const billing = res.body as { stripeCustomerId: string; stripeSubscriptionId: string; subscriptionStatus: string };
  // stripe-mock answers every customer with the same fixture id: each clinic gets its own here, as with Stripe.
  const customer = `cus_${randomUUID().replaceAll('-', '').slice(0, 14)}`;
  await api.db.prisma.clinic.update({ where: { id: clinic.id }, data: { stripeCustomerId: customer, stripeSubscriptionId: `sub_${customer.slice(4)}` } });
  return { clinicId: clinic.id, admin, customer, billing };
}

function signed(event: object) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  return api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', header).send(payload);
}
let clock = Math.floor(Date.UTC(2026, 10, 1) / 1000);
/** A Stripe event, created a minute after the one before unless told when. */
const event = (type: string, object: object, created = (clock += 60)) => ({ id: `evt_${randomUUID().replaceAll('-', '')}`, object: 'event', type, created, data: { object } });
const invoice = (customer: string) => ({ id: `in_${randomUUID().slice(0, 8)}`, object: 'invoice', customer });
const subscription = (customer: string, status: string) => ({ id: `sub_${customer.slice(4)}`, object: 'subscription', customer, status });
const statusOf = async (clinicId: string) => (await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } })).subscriptionStatus;

async function mailsTo(address: string, atLeast: number) {
  for (let i = 0; i < 100 && smtp.received.filter((m) => m.to?.some((t) => t.address === address)).length < atLeast; i++) await sleep(100);
  return smtp.received.filter((m) => m.to?.some((t) => t.address === address));
}

describe('setting up billing', () => {
  test('platform staff subscribe a clinic to its tier through Stripe; once only; clinic staff cannot', async () => {
    const clinic = await createClinic(api, { tier: 'M' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    expectError(await api.http.post(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(admin)), 403, 'FORBIDDEN');
    const res = await api.http.post(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(superAdmin)).expect(201);
    const body = res.body as { stripeCustomerId: string; stripeSubscriptionId: string; tier: string; subscriptionStatus: string };
    assert.match(body.stripeCustomerId, /^cus_/);
    assert.match(body.stripeSubscriptionId, /^sub_/);
    assert.deepEqual([body.tier, body.subscriptionStatus], ['M', 'ACTIVE']);
    const stored = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.id } });
    assert.deepEqual([stored.stripeCustomerId, stored.stripeSubscriptionId], [body.stripeCustomerId, body.stripeSubscriptionId]);
    assert.ok(await api.db.prisma.auditLog.findFirst({ where: { clinicId: clinic.id, action: 'clinic.billing' } }));
    expectError(await api.http.post(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(superAdmin)), 409, 'ALREADY_SUBSCRIBED');
    assert.equal(((await api.http.get(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(admin)).expect(200)).body as { tier: string }).tier, 'M');
  });

  test('a tier without a configured Stripe price is refused, and nothing is stored', async () => {
    const clinic = await createClinic(api, { tier: 'XL' });
    expectError(await api.http.post(`/api/v1/clinics/${clinic.id}/billing`).set(bearer(superAdmin)), 422, 'NO_TIER_PRICE');
    assert.equal((await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.id } })).stripeCustomerId, null);
  });
});

describe("Stripe Billing's events", () => {
  test('a failed renewal makes the clinic past due and e-mails its admins once; Stripe giving up suspends it (read-only); a paid invoice restores it; deletion cancels it', async () => {
    const { clinicId, admin, customer } = await billedClinic();
    const failed = event('invoice.payment_failed', invoice(customer));
    for (let i = 0; i < 2; i++) await signed(failed).expect(200);
    assert.equal(await statusOf(clinicId), 'PAST_DUE');
    const mails = await mailsTo(admin.email, 1);
    await sleep(500);
    assert.equal((await mailsTo(admin.email, 1)).length, 1, 'one e-mail, however often Stripe sends the event');
    assert.match(mails[0]?.subject ?? '', /payment for .* failed/);
    // Past due still works normally.
    await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ name: 'Still Working' }).expect(200);

    await signed(event('customer.subscription.updated', subscription(customer, 'unpaid'))).expect(200);
    assert.equal(await statusOf(clinicId), 'SUSPENDED');
    expectError(await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ name: 'Refused' }), 403, 'SUBSCRIPTION_INACTIVE');
    await api.http.get(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).expect(200);

    await signed(event('invoice.paid', invoice(customer))).expect(200);
    assert.equal(await statusOf(clinicId), 'ACTIVE');
    await signed(event('customer.subscription.deleted', subscription(customer, 'canceled'))).expect(200);
    assert.equal(await statusOf(clinicId), 'CANCELLED');
    // Cancelled is final: a new invoice event does not revive it.
    await signed(event('invoice.paid', invoice(customer))).expect(200);
    assert.equal(await statusOf(clinicId), 'CANCELLED');

    const changes = await api.db.prisma.auditLog.findMany({ where: { clinicId, action: 'clinic.subscription-status' }, orderBy: { id: 'asc' } });
    assert.deepEqual(changes.map((c) => (c.changes as { after: { subscriptionStatus: string } }).after.subscriptionStatus), ['PAST_DUE', 'SUSPENDED', 'ACTIVE', 'CANCELLED']);
  });

  test('an event older than the one that set the status arrives late and changes nothing', async () => {
    const { clinicId, customer } = await billedClinic();
    const early = clock + 60;
    await signed(event('invoice.payment_failed', invoice(customer), early + 120)).expect(200);
    assert.equal(await statusOf(clinicId), 'PAST_DUE');
    // Stripe sent this 'active' before the failure, but it is delivered after it.
    await signed(event('customer.subscription.updated', subscription(customer, 'active'), early)).expect(200);
    assert.equal(await statusOf(clinicId), 'PAST_DUE');
    await signed(event('invoice.paid', invoice(customer), early + 180)).expect(200);
    assert.equal(await statusOf(clinicId), 'ACTIVE');
    clock = early + 180;
  });

  test("events for a customer that is no clinic's, and forged ones, change nothing", async () => {
    const { clinicId, customer } = await billedClinic();
    await signed(event('invoice.payment_failed', invoice('cus_somebodyelse'))).expect(200);
    const payload = JSON.stringify(event('customer.subscription.deleted', subscription(customer, 'canceled')));
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
    expectError(await api.http.post('/api/v1/webhooks/stripe').set('content-type', 'application/json').set('stripe-signature', forged).send(payload), 400, 'INVALID_SIGNATURE');
    assert.equal(await statusOf(clinicId), 'ACTIVE');
  });
});

describe('tier changes', () => {
  test("an approved upgrade changes the clinic's tier, its limits and its Stripe subscription; a decided request takes no other decision", async () => {
    const { clinicId, admin } = await billedClinic('S');
    await api.db.prisma.clinic.update({ where: { id: clinicId }, data: { stripeSubscriptionId: 'sub_fixture' } });
    const request = (await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'M', reason: 'More therapists' }).expect(201)).body as { id: string };
    expectError(await api.http.post(`/api/v1/licensing/change-requests/${request.id}/approve`).set(bearer(admin)), 403, 'FORBIDDEN');

    const before = (await api.http.get('/api/v1/licensing/current').set(bearer(admin)).expect(200)).body as { limits: { maxStaff: number } };
    const decided = await api.http.post(`/api/v1/licensing/change-requests/${request.id}/approve`).set(bearer(superAdmin)).set('X-Clinic-Id', clinicId).expect(200);
    assert.equal((decided.body as { status: string }).status, 'APPROVED');
    const now = (await api.http.get('/api/v1/licensing/current').set(bearer(admin)).expect(200)).body as { tier: { code: string }; limits: { maxStaff: number } };
    assert.equal(now.tier.code, 'M');
    assert.ok(now.limits.maxStaff > before.limits.maxStaff, 'the larger tier’s limits apply');
    assert.ok(await api.db.prisma.auditLog.findFirst({ where: { clinicId, action: 'clinic.tier' } }));
    expectError(await api.http.post(`/api/v1/licensing/change-requests/${request.id}/reject`).set(bearer(superAdmin)).set('X-Clinic-Id', clinicId), 409, 'NOT_PENDING');
  });

  test('a paying clinic cannot move to a tier Stripe has no price for: the tier and the request stay as they were', async () => {
    const { clinicId, admin } = await billedClinic('S');
    const request = (await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'XL' }).expect(201)).body as { id: string };
    expectError(await api.http.post(`/api/v1/licensing/change-requests/${request.id}/approve`).set(bearer(superAdmin)).set('X-Clinic-Id', clinicId), 422, 'NO_TIER_PRICE');
    const clinic = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } });
    assert.equal(clinic.licenseTierCode, 'S');
    assert.equal((await api.db.prisma.licenseChangeRequest.findUniqueOrThrow({ where: { id: request.id } })).status, 'PENDING');
  });
});
