/**
 * Selling packages and subscriptions, and paying their charges. A purchase writes the package, its
 * first charge and (for a recorded payment) the Payment in one short transaction under the
 * patient's row lock, like every money write (prisma/package-accounts.ts); the package's workflow
 * is started after the commit. A Stripe purchase waits PENDING_PAYMENT until the webhook reports
 * the Checkout paid. Every payment of a charge signals the workflow, which reloads the row.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type Request } from 'express';
import type Stripe from 'stripe';
import { packagePaidSignal } from '../../domain/packages';
import { packageStart, START_ONCE, workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { type PackageCharge, type PatientPackage, type PaymentMethod, Prisma } from '../../prisma/generated/client';
import { type DocumentLinks, type DocumentMessage } from '../../prisma/billing/documents';
import { payPackageCharge } from '../../prisma/package-accounts';
import { lockPatient } from '../../prisma/patient-accounts';
import { type TenantDb } from '../../prisma/tenant';
import { markPackageWorkflowStarted } from '../../prisma/workflow-marks';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { replayable, requestFingerprint } from '../http/idempotency-key';
import { isUniqueViolation } from '../http/prisma-helpers';
import { toMinorUnits } from '../payments/stripe-client';
import { writeAudit } from './audit';
import { documentLinks, startDocumentMessages } from './document-messages';
import { startWorkflow } from './start-workflow';

export type PackageWithCharges = PatientPackage & { charges: PackageCharge[] };

export const insufficientCredit = () => ApiError.unprocessable('INSUFFICIENT_CREDIT', "The patient's credit does not cover this amount");
export const stripeNotConfigured = () => new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Card payments are not set up on this platform');

export interface PurchaseInput {
  patientId: string;
  planId: string;
  method: PaymentMethod;
}

/**
 * Sells a plan to a patient. Paid now (any recorded method, or CREDIT): the package is ACTIVE from
 * now. STRIPE: it is PENDING_PAYMENT with its charge DUE, and the caller creates the Checkout link.
 */
export async function purchasePackage(deps: ApiDeps, req: Request, input: PurchaseInput, idempotencyKey: string): Promise<{ pkg: PackageWithCharges; replayed: boolean }> {
  const { db, clinicId, ownership } = req.tenant!;
  const fingerprint = requestFingerprint(req);
  const earlier = await db.patientPackage.findFirst({ where: { idempotencyKey }, include: { charges: { orderBy: { period: 'asc' } } } });
  if (earlier) return { pkg: await ensurePackageWorkflow(deps, replayable(earlier, fingerprint)), replayed: true };

  if (!(await db.patient.findFirst({ where: { id: input.patientId, active: true, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
  const plan = await db.packagePlan.findFirst({ where: { id: input.planId } });
  if (!plan) throw ApiError.notFound('Package plan');
  if (plan.archivedAt) throw ApiError.unprocessable('PLAN_ARCHIVED', 'This plan is no longer on sale', [{ path: 'body.planId', message: 'archived' }]);
  try {
    // The raw client, every write naming the clinic: the shared money code takes plain transactions.
    let receipt: DocumentMessage | null = null;
    const pkg = await deps.prisma.$transaction(async (tx) => {
      if ((await lockPatient(tx, clinicId, input.patientId)) === null) throw ApiError.notFound('Patient');
      const id = randomUUID();
      const created = await tx.patientPackage.create({
        data: {
          id,
          clinicId,
          patientId: input.patientId,
          planId: plan.id,
          kind: plan.kind,
          name: plan.name,
          therapyTypeIds: plan.therapyTypeIds,
          sessionsPerPeriod: plan.sessions,
          sessionsRemaining: plan.sessions,
          price: plan.price,
          currency: plan.currency,
          status: 'PENDING_PAYMENT',
          idempotencyKey,
          idempotencyFingerprint: fingerprint,
          workflowId: workflowIds.package(clinicId, id),
          purchasedById: req.auth!.userId,
        },
      });
      const charge = await tx.packageCharge.create({ data: { clinicId, patientPackageId: id, patientId: input.patientId, kind: 'PURCHASE', period: 1, amount: plan.price, currency: plan.currency } });
      if (input.method !== 'STRIPE') {
        const paid = await payPackageCharge(tx, { clinicId, chargeId: charge.id, method: input.method, at: new Date(), idempotencyKey: `package-purchase:${idempotencyKey}`, recordedById: req.auth!.userId, links: documentLinks(deps) });
        if (paid === 'INSUFFICIENT_CREDIT') throw insufficientCredit();
        receipt = paid?.message ?? null;
      }
      await writeAudit(tx, req, { action: 'package.purchase', entityType: 'PatientPackage', entityId: id, clinicId, after: { ...created, method: input.method } });
      return tx.patientPackage.findFirstOrThrow({ where: { id, clinicId }, include: { charges: { orderBy: { period: 'asc' } } } });
    });
    await startDocumentMessages(deps, clinicId, [receipt]);
    return { pkg: await ensurePackageWorkflow(deps, pkg), replayed: false };
  } catch (err) {
    if (isUniqueViolation(err)) {
      const winner = await db.patientPackage.findFirst({ where: { idempotencyKey }, include: { charges: { orderBy: { period: 'asc' } } } });
      if (winner) return { pkg: await ensurePackageWorkflow(deps, replayable(winner, fingerprint)), replayed: true };
    }
    throw err;
  }
}

/** Starts the committed package's workflow unless it was started, and marks the row. 503 when Temporal cannot take it: asking again starts it. */
export async function ensurePackageWorkflow<P extends PatientPackage>(deps: ApiDeps, pkg: P): Promise<P> {
  if (pkg.workflowStartedAt) return pkg;
  try {
    await startWorkflow(deps, 'packageWorkflow', { ...packageStart(pkg.clinicId, pkg), ...START_ONCE }, 'The package is sold, but its expiry and renewals could not be scheduled yet; send the same request again (same Idempotency-Key) to finish');
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const workflowStartedAt = new Date();
  await markPackageWorkflowStarted(deps.prisma, pkg, workflowStartedAt);
  return { ...pkg, workflowStartedAt };
}

/** Tells the package's workflow that its charge was paid; a lost signal costs only time (the workflow reloads at its next step). */
export async function signalPackagePaid(deps: Pick<ApiDeps, 'temporal' | 'logger'>, clinicId: string, packageId: string): Promise<void> {
  try {
    await deps.temporal.connection.withDeadline(Date.now() + 5_000, () => deps.temporal.client.workflow.getHandle(workflowIds.package(clinicId, packageId)).signal(packagePaidSignal));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) deps.logger.warn({ err: { type: (err as Error)?.name } }, 'package workflow not signalled');
  }
}

/** Staff record the payment of a DUE charge (a renewal the chase is after, or a Stripe purchase paid at the desk instead). */
export async function payChargeAtDesk(deps: Pick<ApiDeps, 'prisma' | 'temporal' | 'logger' | 'config'>, req: Request, input: { packageId: string; chargeId: string; method: PaymentMethod }, idempotencyKey: string): Promise<{ paymentId: string; replayed: boolean }> {
  const { db, clinicId, ownership } = req.tenant!;
  const charge = await db.packageCharge.findFirst({ where: { id: input.chargeId, patientPackageId: input.packageId, patient: ownership.patient } });
  if (!charge) throw ApiError.notFound('Package charge');
  const key = `package-charge:${idempotencyKey}`;
  const fingerprint = requestFingerprint(req);
  const earlier = await db.payment.findFirst({ where: { idempotencyKey: key } });
  if (earlier) return { paymentId: replayable(earlier, fingerprint).id, replayed: true };
  const result = await deps.prisma.$transaction(async (tx) => {
    const paid = await payPackageCharge(tx, { clinicId, chargeId: charge.id, method: input.method, at: new Date(), idempotencyKey: key, idempotencyFingerprint: fingerprint, recordedById: req.auth!.userId, links: documentLinks(deps) });
    if (paid === 'INSUFFICIENT_CREDIT') throw insufficientCredit();
    if (!paid) throw ApiError.conflict('NOT_DUE', `This charge is ${(await tx.packageCharge.findFirstOrThrow({ where: { id: charge.id, clinicId } })).status}, not due`);
    return paid;
  });
  await startDocumentMessages(deps, clinicId, [result.message]);
  return { paymentId: result.paymentId, replayed: false };
}

/** A Stripe Checkout Session for one DUE charge; the webhook finds the charge by the session's metadata. */
export async function checkoutForCharge(stripe: Stripe, db: TenantDb, input: { chargeId: string; successUrl: string; cancelUrl: string }): Promise<{ session: Stripe.Checkout.Session; charge: PackageCharge } | null> {
  const charge = await db.packageCharge.findFirst({ where: { id: input.chargeId, status: 'DUE' }, include: { patientPackage: { select: { name: true } }, clinic: { select: { name: true } } } });
  if (!charge) return null;
  const metadata = { clinicId: charge.clinicId, patientId: charge.patientId, packageChargeId: charge.id };
  const session = await stripe.checkout.sessions
    .create(
      {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: charge.currency.toLowerCase(), unit_amount: toMinorUnits(charge.amount.toFixed(2)), product_data: { name: `${charge.patientPackage.name} at ${charge.clinic.name}` } } }],
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
        metadata,
        payment_intent_data: { metadata },
      },
      { idempotencyKey: `package-charge:${charge.id}` },
    )
    .catch(() => {
      throw new ApiError(503, 'STRIPE_UNAVAILABLE', 'Stripe did not create the link; try again later');
    });
  return { session, charge };
}

/**
 * A paid Checkout Session for a package charge, once per Stripe event: the charge is paid (and the
 * package starts or is no longer past due). Money for a charge that is no longer due (paid at the
 * desk meanwhile, or given up) becomes the patient's prepaid credit: it has been taken either way.
 * Returns the package to signal and the receipt's message to start, or null.
 */
export async function recordStripePackagePayment(
  prisma: PrismaClient,
  input: { clinicId: string; chargeId: string; amount: string; eventId: string },
  links: DocumentLinks,
): Promise<{ packageId: string; receipt: DocumentMessage | null } | null> {
  const idempotencyKey = `stripe:${input.eventId}`;
  try {
    return await prisma.$transaction(async (tx) => {
      const charge = await tx.packageCharge.findFirst({ where: { id: input.chargeId, clinicId: input.clinicId } });
      if (!charge) return null;
      if (await tx.payment.findFirst({ where: { clinicId: input.clinicId, idempotencyKey }, select: { id: true } })) return null;
      const received = new Prisma.Decimal(input.amount);
      const paid = received.greaterThanOrEqualTo(charge.amount) ? await payPackageCharge(tx, { clinicId: input.clinicId, chargeId: charge.id, method: 'STRIPE', at: new Date(), idempotencyKey, note: `Stripe event ${input.eventId}`, links }) : null;
      const used = paid && paid !== 'INSUFFICIENT_CREDIT' ? charge.amount : new Prisma.Decimal(0);
      const excess = received.minus(used);
      if (excess.greaterThan(0)) {
        await tx.creditEntry.create({ data: { clinicId: input.clinicId, patientId: charge.patientId, amount: excess, currency: charge.currency, method: 'STRIPE', note: `Stripe event ${input.eventId}`, idempotencyKey } });
      }
      return paid && paid !== 'INSUFFICIENT_CREDIT' ? { packageId: paid.patientPackageId, receipt: paid.message } : null;
    });
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

export function presentCharge(c: PackageCharge) {
  return { id: c.id, kind: c.kind, period: c.period, amount: c.amount.toFixed(2), currency: c.currency, status: c.status, paidAt: c.paidAt?.toISOString() ?? null, createdAt: c.createdAt.toISOString() };
}

export function presentPatientPackage(p: PackageWithCharges, sessionsHeld = 0) {
  return {
    id: p.id,
    patientId: p.patientId,
    planId: p.planId,
    kind: p.kind,
    name: p.name,
    status: p.status,
    therapyTypeIds: p.therapyTypeIds,
    sessionsPerPeriod: p.sessionsPerPeriod,
    sessionsRemaining: p.sessionsRemaining,
    sessionsHeld,
    period: p.period,
    periodStart: p.periodStart?.toISOString() ?? null,
    expiresAt: p.expiresAt?.toISOString() ?? null,
    pausedAt: p.pausedAt?.toISOString() ?? null,
    cancelAtPeriodEnd: p.cancelAtPeriodEnd,
    expiredSessions: p.expiredSessions,
    price: p.price.toFixed(2),
    currency: p.currency,
    workflowId: p.workflowId,
    charges: p.charges.map(presentCharge),
    createdAt: p.createdAt.toISOString(),
  };
}
