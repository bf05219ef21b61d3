/**
 * A clinic's subscription status as Stripe Billing moves it: ACTIVE → PAST_DUE (a renewal failed)
 * → SUSPENDED (Stripe gave up retrying: read-only) → CANCELLED, and back to ACTIVE when an invoice
 * is paid. The spine's enforcement honours the status (api/middleware/tenant.ts). Pure.
 */
export type SubscriptionStatus = 'TRIAL' | 'ACTIVE' | 'PAST_DUE' | 'SUSPENDED' | 'CANCELLED';

/** The Stripe events that move a clinic's subscription; others are acknowledged and left. */
export const SUBSCRIPTION_EVENTS = ['invoice.paid', 'invoice.payment_failed', 'customer.subscription.updated', 'customer.subscription.deleted'] as const;
export type SubscriptionEvent = (typeof SUBSCRIPTION_EVENTS)[number];

/** Stripe's subscription statuses, as ours. Statuses not listed (incomplete) leave the clinic as it is. */
const FROM_STRIPE: Partial<Record<string, SubscriptionStatus>> = {
  trialing: 'TRIAL',
  active: 'ACTIVE',
  past_due: 'PAST_DUE',
  unpaid: 'SUSPENDED',
  paused: 'SUSPENDED',
  canceled: 'CANCELLED',
  incomplete_expired: 'CANCELLED',
};

/**
 * The status after an event. A cancelled subscription stays cancelled (a new one is a new
 * subscription); a failed payment does not lift a suspension.
 */
export function statusAfter(current: SubscriptionStatus, event: SubscriptionEvent, stripeStatus?: string): SubscriptionStatus {
  if (current === 'CANCELLED') return current;
  switch (event) {
    case 'invoice.paid':
      return 'ACTIVE';
    case 'invoice.payment_failed':
      return current === 'SUSPENDED' ? current : 'PAST_DUE';
    case 'customer.subscription.deleted':
      return 'CANCELLED';
    case 'customer.subscription.updated':
      return (stripeStatus && FROM_STRIPE[stripeStatus]) || current;
  }
}
