/**
 * A Stripe Checkout Session for what a patient owes now, in the clinic's currency. Used by staff
 * (POST /patients/:id/payment-link) and by the links in payment reminders (GET /pay/:token).
 * Only ids go to Stripe: the webhook finds the account by them.
 */
import type Stripe from 'stripe';
import { Prisma } from '../../prisma/generated/client';
import { outstandingDues, type Dues } from '../../prisma/patient-accounts';
import { type TenantDb } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';
import { toMinorUnits } from './stripe-client';

export interface CheckoutFor {
  clinicId: string;
  patientId: string;
  successUrl: string;
  cancelUrl: string;
}

export async function checkoutForDues(stripe: Stripe, db: TenantDb, { clinicId, patientId, successUrl, cancelUrl }: CheckoutFor): Promise<{ session: Stripe.Checkout.Session; dues: Dues } | null> {
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { name: true, currency: true } });
  const dues = await outstandingDues(db, clinicId, patientId, clinic.currency);
  if (!new Prisma.Decimal(dues.total).greaterThan(0)) return null;
  const metadata = { clinicId, patientId };
  const session = await stripe.checkout.sessions
    .create(
      {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: clinic.currency.toLowerCase(), unit_amount: toMinorUnits(dues.total), product_data: { name: `Outstanding balance at ${clinic.name}` } } }],
        success_url: successUrl,
        cancel_url: cancelUrl,
        metadata,
        payment_intent_data: { metadata },
      },
      // One session per balance: asking again for the same amount returns the same session.
      { idempotencyKey: `payment-link:${clinicId}:${patientId}:${dues.total}` },
    )
    .catch(() => {
      throw new ApiError(503, 'STRIPE_UNAVAILABLE', 'Stripe did not create the link; try again later');
    });
  return { session, dues };
}
