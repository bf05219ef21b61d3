import { PACKAGE_KINDS, PACKAGE_STATUSES } from '../../domain/packages';
import { text } from '../../domain/text';
import { z } from '../openapi/zod';
import { booleanQuery, listQuery } from './common';
import { returnUrl } from './return-urls';
import { amount } from './scheduling';

const name = text().trim().min(1).max(120);
const therapyTypeIds = z.array(z.uuid()).min(1).max(50).describe('The therapy types whose sessions it covers');
const positivePrice = amount.refine((a) => !/^0+(\.0+)?$/.test(a), 'must be more than zero');

export const createPlanBody = z
  .object({
    name,
    kind: z.enum(PACKAGE_KINDS),
    sessions: z.number().int().min(1).max(1000).describe('PACKAGE: sessions in all. SUBSCRIPTION: sessions a month'),
    validityDays: z.number().int().min(1).max(3660).optional().describe('PACKAGE only: days from purchase until unused sessions expire'),
    price: positivePrice.describe("PACKAGE: its price; SUBSCRIPTION: the monthly price, in the clinic's currency"),
    therapyTypeIds,
  })
  .refine((b) => (b.kind === 'PACKAGE') === (b.validityDays !== undefined), { message: 'a PACKAGE needs validityDays; a SUBSCRIPTION has none (it renews monthly)', path: ['validityDays'] })
  .openapi('CreatePackagePlanRequest');

export const updatePlanBody = z
  .object({ name: name.optional(), therapyTypeIds: therapyTypeIds.optional() })
  .refine((b) => b.name !== undefined || b.therapyTypeIds !== undefined, { message: 'nothing to change' })
  .openapi('UpdatePackagePlanRequest');

export const planListQuery = listQuery.extend({ archived: booleanQuery.optional().describe('true: only archived plans; false (default): only those on sale') });

export const planResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    kind: z.enum(PACKAGE_KINDS),
    sessions: z.number().int(),
    validityDays: z.number().int().nullable(),
    price: text(),
    currency: text(),
    therapyTypeIds: z.array(z.uuid()),
    archivedAt: text().nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('PackagePlan');

const PURCHASE_METHODS = ['CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT', 'STRIPE'] as const;

export const purchaseBody = z
  .object({
    planId: z.uuid(),
    method: z.enum(PURCHASE_METHODS).describe("How it is paid: recorded now, from the patient's credit, or STRIPE (a Checkout link; the package starts when Stripe reports it paid)"),
    successUrl: returnUrl.optional(),
    cancelUrl: returnUrl.optional(),
  })
  .openapi('PurchasePackageRequest');

export const chargePaymentBody = z.object({ method: z.enum(['CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT']) }).openapi('PayPackageChargeRequest');
export const cancelAtPeriodEndBody = z.object({ cancel: z.boolean().default(true).describe('false takes a cancellation back') }).openapi('CancelAtPeriodEndRequest');
export const chargeParams = z.object({ id: z.uuid(), chargeId: z.uuid() });

export const chargeResponse = z
  .object({ id: z.uuid(), kind: z.enum(['PURCHASE', 'RENEWAL']), period: z.number().int(), amount: text(), currency: text(), status: z.enum(['DUE', 'PAID', 'VOID']), paidAt: text().nullable(), createdAt: text() })
  .openapi('PackageCharge');

export const patientPackageResponse = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    planId: z.uuid(),
    kind: z.enum(PACKAGE_KINDS),
    name: text(),
    status: z.enum(PACKAGE_STATUSES),
    therapyTypeIds: z.array(z.uuid()),
    sessionsPerPeriod: z.number().int(),
    sessionsRemaining: z.number().int().describe('Sessions left to book in the current period (the whole package, or this month)'),
    sessionsHeld: z.number().int().describe('Booked sessions not yet attended, cancelled or missed'),
    period: z.number().int(),
    periodStart: text().nullable(),
    expiresAt: text().nullable().describe('When unused sessions expire (a subscription: when the month ends and it renews)'),
    pausedAt: text().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    expiredSessions: z.number().int(),
    price: text(),
    currency: text(),
    workflowId: text(),
    charges: z.array(chargeResponse),
    createdAt: text(),
  })
  .openapi('PatientPackage');

export const purchaseResponse = patientPackageResponse.extend({ checkoutUrl: text().nullable().describe('STRIPE: where the patient pays') }).openapi('PackagePurchase');
export const chargeLinkResponse = z.object({ url: text().nullable(), stripeSessionId: text(), amount: text(), currency: text() }).openapi('PackageChargeLink');
