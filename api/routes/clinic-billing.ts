/**
 * A clinic's own subscription to ClinicFlow through Stripe Billing: the platform's staff set it up
 * (a Stripe customer and a subscription to the tier's price); Stripe's events then keep the
 * clinic's subscription status (POST /webhooks/stripe), and approved tier changes move it.
 */
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { createStripeClient } from '../payments/stripe-client';
import { clinicIdParams } from '../schemas/common';
import { writeAudit } from '../services/audit';
import { tierPrice } from '../services/clinic-billing';
import { text } from '../../domain/text';

const billingResponse = z
  .object({
    subscriptionStatus: z.enum(['TRIAL', 'ACTIVE', 'PAST_DUE', 'SUSPENDED', 'CANCELLED']),
    tier: text(),
    stripeCustomerId: text().nullable(),
    stripeSubscriptionId: text().nullable(),
  })
  .openapi('ClinicBilling');

export function clinicBillingRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  const present = (c: { subscriptionStatus: string; licenseTierCode: string; stripeCustomerId: string | null; stripeSubscriptionId: string | null }) =>
    billingResponse.parse({ subscriptionStatus: c.subscriptionStatus, tier: c.licenseTierCode, stripeCustomerId: c.stripeCustomerId, stripeSubscriptionId: c.stripeSubscriptionId });

  return r
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's subscription: status, tier and its Stripe customer and subscription",
      access: 'clinic:read',
      tenant: true,
      params: clinicIdParams,
      responses: { 200: { description: 'Billing', schema: billingResponse } },
      handler: async (_input, req, res) => {
        res.json(present(await req.tenant!.db.clinic.findUniqueOrThrow({ where: { id: req.tenant!.clinicId } })));
      },
    })
    .route({
      method: 'post',
      path: '/',
      summary: 'Bill the clinic through Stripe: a customer and a subscription to its tier (platform staff)',
      access: 'clinic:manage-subscription',
      tenant: true,
      params: clinicIdParams,
      responses: {
        201: { description: 'Subscribed', schema: billingResponse },
        409: { description: 'ALREADY_SUBSCRIBED' },
        422: { description: 'NO_TIER_PRICE: STRIPE_TIER_PRICES has no price for the tier' },
        503: { description: 'Stripe is not configured, or did not answer' },
      },
      handler: async (_input, req, res) => {
        const { db, clinicId } = req.tenant!;
        if (!stripe) throw new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Stripe is not set up on this platform');
        const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId } });
        if (clinic.stripeSubscriptionId) throw ApiError.conflict('ALREADY_SUBSCRIBED', 'The clinic already has a Stripe subscription');
        const price = tierPrice(deps, clinic.licenseTierCode);
        const admin = await db.staffUser.findFirst({ where: { role: 'CLINIC_ADMIN', active: true }, orderBy: { createdAt: 'asc' }, select: { email: true } });
        // Ids only in Stripe's metadata; the idempotency keys make a retried request create nothing twice.
        const metadata = { clinicId };
        const subscribed = await (async () => {
          const customer = await stripe.customers.create({ name: clinic.name, email: admin?.email, metadata }, { idempotencyKey: `clinic-customer:${clinicId}` });
          const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price }], metadata }, { idempotencyKey: `clinic-subscription:${clinicId}:${price}` });
          return { customerId: customer.id, subscriptionId: subscription.id };
        })().catch(() => {
          throw new ApiError(503, 'STRIPE_UNAVAILABLE', 'Stripe did not set up the subscription; try again later');
        });
        const updated = await db.$transaction(async (tx) => {
          const after = await tx.clinic.update({ where: { id: clinicId }, data: { stripeCustomerId: subscribed.customerId, stripeSubscriptionId: subscribed.subscriptionId } });
          await writeAudit(tx, req, { action: 'clinic.billing', entityType: 'Clinic', entityId: clinicId, clinicId, after: { stripeCustomerId: subscribed.customerId, stripeSubscriptionId: subscribed.subscriptionId, price } });
          return after;
        });
        res.status(201).json(present(updated));
      },
    });
}
