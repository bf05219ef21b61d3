/**
 * Clinics as the platform's Stripe customers: their subscription to their licence tier, the status
 * Stripe Billing's events move it through, and tier changes carried over to Stripe.
 */
import type Stripe from 'stripe';
import { stableMessageId } from '../../activities/messaging/message-ids';
import { statusAfter, type SubscriptionEvent, type SubscriptionStatus } from '../../domain/subscriptions';
import { messageDeliveryStart, workflowIds } from '../../domain/temporal';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { startWorkflow } from './start-workflow';

type CustomerRef = string | { id: string } | null | undefined;
const idOf = (ref: CustomerRef) => (typeof ref === 'string' ? ref : ref?.id);

/**
 * Applies one of Stripe Billing's events to the clinic it is about (found by its Stripe customer).
 * The status changes under the clinic's row lock and is audited; a clinic that falls past due has
 * its admins e-mailed (message ids from the event: a replayed event sends nothing new). The
 * deliveries start inside the transaction, so a failure leaves everything for Stripe's retry.
 */
export async function applySubscriptionEvent(deps: ApiDeps, event: { id: string; created: number; type: SubscriptionEvent; object: { customer?: CustomerRef; status?: string } }): Promise<void> {
  const customerId = idOf(event.object.customer);
  if (!customerId) return;
  const createdAt = new Date(event.created * 1000);
  await deps.prisma.$transaction(async (tx) => {
    const [clinic] = await tx.$queryRaw<Array<{ id: string; status: SubscriptionStatus; tier: string; eventAt: Date | null }>>`
      SELECT id::text, "subscriptionStatus"::text AS status, "licenseTierCode" AS tier, "subscriptionEventAt" AS "eventAt" FROM "Clinic" WHERE "stripeCustomerId" = ${customerId} FOR UPDATE`;
    if (!clinic) return;
    // Stripe does not promise order: an event older than the one that set the status is out of date.
    if (clinic.eventAt && createdAt < clinic.eventAt) return;
    const next = statusAfter(clinic.status, event.type, event.type === 'customer.subscription.updated' ? event.object.status : undefined);
    if (next === clinic.status) return;
    await tx.clinic.update({ where: { id: clinic.id }, data: { subscriptionStatus: next, subscriptionEventAt: createdAt } });
    await tx.auditLog.create({
      data: { clinicId: clinic.id, action: 'clinic.subscription-status', entityType: 'Clinic', entityId: clinic.id, changes: { before: { subscriptionStatus: clinic.status }, after: { subscriptionStatus: next }, stripeEvent: event.id } },
    });
    if (next !== 'PAST_DUE') return;
    const admins = await tx.staffUser.findMany({ where: { clinicId: clinic.id, role: 'CLINIC_ADMIN', active: true }, select: { email: true } });
    const messages = admins.map(({ email }) => {
      const id = stableMessageId('subscription-past-due', event.id, email);
      return { id, clinicId: clinic.id, category: 'billing', channels: ['email' as const], recipient: { email }, templateKey: 'subscription-past-due', variables: { tier: clinic.tier }, workflowId: workflowIds.messageDelivery(clinic.id, id) };
    });
    await tx.message.createMany({ data: messages, skipDuplicates: true });
    for (const m of messages) await startWorkflow(deps, 'messageDeliveryWorkflow', messageDeliveryStart(clinic.id, m.id), 'The billing event could not be handled right now');
  });
}

/** The Stripe Price of a tier, or 422 when the platform has none configured for it. */
export function tierPrice(deps: Pick<ApiDeps, 'config'>, tier: string): string {
  const price = deps.config.STRIPE_TIER_PRICES[tier];
  if (!price) throw ApiError.unprocessable('NO_TIER_PRICE', `No Stripe price is configured for tier ${tier} (STRIPE_TIER_PRICES)`);
  return price;
}

/** Moves the clinic's subscription to another tier's price, prorated; once per change request. */
export async function changeSubscriptionTier(stripe: Stripe, subscriptionId: string, price: string, changeId: string): Promise<void> {
  try {
    const subscription = await stripe.subscriptions.retrieve(subscriptionId);
    const item = subscription.items.data[0];
    if (!item) throw new Error('subscription without items');
    await stripe.subscriptions.update(subscriptionId, { items: [{ id: item.id, price }], proration_behavior: 'create_prorations' }, { idempotencyKey: `tier-change:${changeId}` });
  } catch {
    throw new ApiError(503, 'STRIPE_UNAVAILABLE', 'Stripe did not change the subscription; nothing was changed, try again later');
  }
}
