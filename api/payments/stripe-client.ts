/**
 * The platform's Stripe client (stripe-node, pinned to the API version it was built for).
 * PROVIDER_ENDPOINTS.stripe points it elsewhere than api.stripe.com: the tests' stripe-mock.
 */
import Stripe from 'stripe';
import { type Config } from '../../domain/config';
import { Prisma } from '../../prisma/generated/client';

export function createStripeClient(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'PROVIDER_ENDPOINTS'>): Stripe | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const endpoint = config.PROVIDER_ENDPOINTS.stripe;
  const at = endpoint ? new URL(endpoint) : undefined;
  return new Stripe(config.STRIPE_SECRET_KEY, {
    maxNetworkRetries: 2,
    timeout: 15_000,
    ...(at ? { host: at.hostname, port: Number(at.port || (at.protocol === 'https:' ? 443 : 80)), protocol: at.protocol.replace(':', '') as 'http' | 'https' } : {}),
  });
}

/** Stripe amounts are in the currency's minor unit (cents, paise); ours are Decimals with two decimals. */
export const toMinorUnits = (amount: string) => new Prisma.Decimal(amount).times(100).toNumber();
export const fromMinorUnits = (minor: number) => new Prisma.Decimal(minor).dividedBy(100).toFixed(2);
