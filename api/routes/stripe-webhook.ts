/**
 * POST /webhooks/stripe: Stripe's events, trusted only when their Stripe-Signature checks out with
 * STRIPE_WEBHOOK_SECRET over the raw body (stripe-node's verifier, five-minute tolerance). A paid
 * Checkout Session records the payment on the patient's account, once per event: Stripe retries,
 * and a replayed event changes nothing. The patient's open payment-reminder chases are signalled.
 * Stripe Billing's invoice and subscription events move the paying clinic's subscription status.
 * Forged or stale signatures get 400 and change nothing.
 */
import Stripe from 'stripe';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { fromMinorUnits } from '../payments/stripe-client';
import { signalPaymentChases } from '../services/payment-signals';
import { recordStripePayment } from '../services/payments';
import { documentLinks, startDocumentMessages } from '../services/document-messages';
import { recordStripePackagePayment, signalPackagePaid } from '../services/packages';
import { applySubscriptionEvent } from '../services/clinic-billing';
import { SUBSCRIPTION_EVENTS, type SubscriptionEvent } from '../../domain/subscriptions';
import { rawBodyOf } from '../webhooks/raw-body';

const paidSession = z.object({
  payment_status: z.literal('paid'),
  amount_total: z.number().int().positive(),
  metadata: z.object({ clinicId: z.uuid(), patientId: z.uuid(), packageChargeId: z.uuid().optional() }),
});

const isSubscriptionEvent = (type: string): type is SubscriptionEvent => (SUBSCRIPTION_EVENTS as readonly string[]).includes(type);

export function stripeWebhookRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const secret = deps.config.STRIPE_WEBHOOK_SECRET;
  return r.route({
    method: 'post',
    path: '/stripe',
    summary: "Stripe events: paid Checkout Sessions record patients' payments; invoice and subscription events move clinics' subscription status",
    access: 'public',
    responses: {
      200: { description: 'Accepted', schema: z.object({ received: z.literal(true) }) },
      400: { description: 'Signature missing, invalid or stale; nothing was changed' },
      503: { description: 'No webhook secret is configured' },
    },
    handler: async (_input, req, res) => {
      if (!secret) throw new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Stripe webhooks are not set up on this platform');
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(rawBodyOf(req), req.get('stripe-signature') ?? '', secret);
      } catch {
        throw ApiError.badRequest('INVALID_SIGNATURE', 'The Stripe signature is missing, stale or does not match');
      }
      if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded') {
        const session = paidSession.safeParse(event.data.object);
        // Sessions that are not ours (no ids) or not paid yet (async methods) are acknowledged and left.
        if (session.success) {
          const { clinicId, patientId, packageChargeId } = session.data.metadata;
          if (packageChargeId) {
            // A package purchase or a subscription's month: the charge is paid and the package's workflow told.
            const paid = await recordStripePackagePayment(deps.prisma, { clinicId, chargeId: packageChargeId, amount: fromMinorUnits(session.data.amount_total), eventId: event.id }, documentLinks(deps));
            if (paid) {
              await startDocumentMessages(deps, clinicId, [paid.receipt]);
              await signalPackagePaid(deps, clinicId, paid.packageId);
            }
          } else {
            const recorded = await recordStripePayment(deps.prisma, { clinicId, patientId, amount: fromMinorUnits(session.data.amount_total), eventId: event.id }, documentLinks(deps));
            if (recorded) {
              await startDocumentMessages(deps, clinicId, recorded.messages);
              await signalPaymentChases(deps, clinicId, patientId);
            }
          }
        }
      }
      if (isSubscriptionEvent(event.type)) {
        await applySubscriptionEvent(deps, { id: event.id, created: event.created, type: event.type, object: event.data.object as { customer?: string; status?: string } });
      }
      res.json({ received: true });
    },
  });
}
