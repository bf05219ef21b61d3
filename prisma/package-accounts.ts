/**
 * Patients' packages and subscriptions as the database holds them: taking a session for a booking
 * (a conditional UPDATE, exact under concurrent bookings), giving it back or spending it, paying a
 * package's charge (a Payment that names the charge, under the patient's row lock like every money
 * write), and the package-sales figure for reports. Shared by the API and the activities.
 */
import { type RawQuerier } from './appointment-usage';
import { Prisma, type PackageSessionUseStatus, type PaymentMethod } from './generated/client';
import { addMonth, DAY_MS } from '../domain/packages';
import { documentForPayment, type DocumentLinks, type DocumentMessage } from './billing/documents';
import { creditBalance, lockPatient, money } from './patient-accounts';

const { Decimal } = Prisma;

/** A transaction of the raw client: the queries below filter by clinicId themselves. */
type Tx = Prisma.TransactionClient;

/**
 * Takes one session for a booking from the patient's package that covers the therapy type, is
 * ACTIVE, has a session left and lasts past the session's start (the one that ends first, or the
 * one named). The decrement is conditional (`sessionsRemaining > 0`): of two bookings of the last
 * session, the second waits for the first's row lock, finds none left and gets nothing. Returns the
 * package and the period the session came from, or null; the caller then records the use
 * (recordPackageSessionUse) once its appointment row exists, in the same transaction.
 */
export async function takePackageSession(
  tx: RawQuerier,
  input: { clinicId: string; patientId: string; therapyTypeId: string; startsAt: Date; patientPackageId?: string },
): Promise<{ patientPackageId: string; period: number } | null> {
  const { clinicId, patientId, therapyTypeId, startsAt } = input;
  // Two candidates: if the first was taken meanwhile, the next one may still have a session.
  const candidates = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "PatientPackage"
     WHERE "clinicId" = ${clinicId}::uuid AND "patientId" = ${patientId}::uuid AND status = 'ACTIVE'
       AND "sessionsRemaining" > 0 AND ${therapyTypeId}::uuid = ANY("therapyTypeIds")
       AND "periodStart" <= ${startsAt} AND "expiresAt" > ${startsAt}
       AND (${input.patientPackageId ?? null}::uuid IS NULL OR id = ${input.patientPackageId ?? null}::uuid)
     ORDER BY "expiresAt", id LIMIT 2`;
  for (const { id } of candidates) {
    const [taken] = await tx.$queryRaw<Array<{ period: number }>>`
      UPDATE "PatientPackage" SET "sessionsRemaining" = "sessionsRemaining" - 1, "updatedAt" = now()
       WHERE id = ${id}::uuid AND "clinicId" = ${clinicId}::uuid AND status = 'ACTIVE' AND "sessionsRemaining" > 0
       RETURNING period`;
    if (taken) return { patientPackageId: id, period: taken.period };
  }
  return null;
}

export async function recordPackageSessionUse(tx: RawQuerier, input: { clinicId: string; patientPackageId: string; period: number; appointmentId: string }): Promise<void> {
  await tx.$queryRaw`
    INSERT INTO "PackageSessionUse" (id, "clinicId", "patientPackageId", "appointmentId", period)
    VALUES (gen_random_uuid(), ${input.clinicId}::uuid, ${input.patientPackageId}::uuid, ${input.appointmentId}::uuid, ${input.period}) RETURNING id`;
}

/**
 * Settles the session an appointment took from a package: RETURNED gives it back (only within the
 * period it was taken from, and not to a package that has ended), USED spends it. Once per
 * appointment: a use already settled is left as it is, so a retried activity changes nothing.
 * Returns what happened, or null when the appointment took no session.
 */
export async function settlePackageSession(tx: RawQuerier, input: { clinicId: string; appointmentId: string; outcome: Exclude<PackageSessionUseStatus, 'HELD'>; at: Date }): Promise<PackageSessionUseStatus | null> {
  const [use] = await tx.$queryRaw<Array<{ patientPackageId: string; period: number }>>`
    UPDATE "PackageSessionUse" SET status = ${input.outcome}::"PackageSessionUseStatus", "settledAt" = ${input.at}
     WHERE "appointmentId" = ${input.appointmentId}::uuid AND "clinicId" = ${input.clinicId}::uuid AND status = 'HELD'
     RETURNING "patientPackageId", period`;
  if (!use) return null;
  if (input.outcome === 'RETURNED') {
    await tx.$queryRaw`
      UPDATE "PatientPackage" SET "sessionsRemaining" = "sessionsRemaining" + 1, "updatedAt" = now()
       WHERE id = ${use.patientPackageId}::uuid AND "clinicId" = ${input.clinicId}::uuid AND period = ${use.period}
         AND status IN ('ACTIVE', 'PAUSED', 'PAST_DUE') AND "sessionsRemaining" < "sessionsPerPeriod"
       RETURNING id`;
  }
  return input.outcome;
}

/** The end of a package's first period when it is paid at `paidAt`. */
export function firstPeriodEnd(kind: 'PACKAGE' | 'SUBSCRIPTION', validityDays: number | null, paidAt: Date): Date {
  return new Date(kind === 'PACKAGE' ? paidAt.getTime() + (validityDays ?? 0) * DAY_MS : addMonth(paidAt.getTime()));
}

export interface ChargePayment {
  clinicId: string;
  chargeId: string;
  method: PaymentMethod;
  at: Date;
  idempotencyKey: string;
  idempotencyFingerprint?: string | null;
  recordedById?: string | null;
  note?: string;
  /** Signs the receipt's download link; with it the receipt's message to the patient is written too. */
  links?: DocumentLinks | null;
}

/**
 * Pays a DUE charge in full: a Payment naming the charge (by CREDIT: the matching use of credit,
 * refused when the credit does not cover it), the charge PAID, and the package ACTIVE (a purchase
 * starts its first period now; a renewal is no longer past due). Takes the patient's row lock
 * first. Returns the payment's id and the receipt's message (to start after the commit), or null
 * when the charge is not due (paid before, or void).
 */
export async function payPackageCharge(tx: Tx, input: ChargePayment): Promise<{ paymentId: string; patientPackageId: string; message: DocumentMessage | null } | 'INSUFFICIENT_CREDIT' | null> {
  const charge = await tx.packageCharge.findFirst({ where: { id: input.chargeId, clinicId: input.clinicId }, include: { patientPackage: { include: { plan: true } } } });
  if (!charge) return null;
  const currency = await lockPatient(tx, input.clinicId, charge.patientId);
  if (currency === null) return null;
  // Read again under the lock: another payment of the same charge may have just committed.
  const [due] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "PackageCharge" WHERE id = ${charge.id}::uuid AND status = 'DUE' FOR UPDATE`;
  if (!due) return null;
  if (input.method === 'CREDIT' && (await creditBalance(tx, input.clinicId, charge.patientId)).lessThan(charge.amount)) return 'INSUFFICIENT_CREDIT';
  const payment = await tx.payment.create({
    data: {
      clinicId: input.clinicId,
      patientId: charge.patientId,
      packageChargeId: charge.id,
      amount: charge.amount,
      currency: charge.currency,
      method: input.method,
      note: input.note ?? `${charge.kind === 'PURCHASE' ? 'Purchase' : 'Renewal'} of ${charge.patientPackage.name}`,
      idempotencyKey: input.idempotencyKey,
      idempotencyFingerprint: input.idempotencyFingerprint ?? null,
      recordedById: input.recordedById ?? null,
    },
  });
  // Like every payment, it has its receipt (numbered in this transaction; readable at /payments/:id/receipt).
  const { message } = await documentForPayment(tx, input.clinicId, payment, input.links ?? null);
  if (input.method === 'CREDIT') {
    await tx.creditEntry.create({ data: { clinicId: input.clinicId, patientId: charge.patientId, amount: charge.amount.negated(), currency: charge.currency, paymentId: payment.id, recordedById: input.recordedById ?? null } });
  }
  await tx.packageCharge.update({ where: { id: charge.id }, data: { status: 'PAID', paidAt: input.at } });
  const pkg = charge.patientPackage;
  if (charge.kind === 'PURCHASE' && pkg.status === 'PENDING_PAYMENT') {
    await tx.patientPackage.update({ where: { id: pkg.id }, data: { status: 'ACTIVE', periodStart: input.at, expiresAt: firstPeriodEnd(pkg.kind, pkg.plan.validityDays, input.at) } });
  } else if (charge.kind === 'RENEWAL' && pkg.status === 'PAST_DUE' && pkg.period === charge.period) {
    await tx.patientPackage.update({ where: { id: pkg.id }, data: { status: 'ACTIVE' } });
  }
  await tx.auditLog.create({
    data: {
      clinicId: input.clinicId,
      actorId: input.recordedById ?? null,
      action: 'package.charge.paid',
      entityType: 'PackageCharge',
      entityId: charge.id,
      changes: { after: { paymentId: payment.id, amount: money(charge.amount), method: input.method, kind: charge.kind, period: charge.period } },
    },
  });
  return { paymentId: payment.id, patientPackageId: pkg.id, message };
}

export interface PackageSales {
  currency: string;
  /** Package and subscription charges paid in the period (refunds of them counted off). */
  total: string;
  count: number;
  byPlan: Array<{ planId: string; name: string; kind: 'PACKAGE' | 'SUBSCRIPTION'; count: number; total: string }>;
}

/**
 * Package sales for a report: what patients paid for packages and subscriptions (purchases and
 * renewals) in [from, to), from the Payments that name a package charge, per plan. One query.
 */
export async function packageSales(db: RawQuerier, clinicId: string, from: Date, to: Date): Promise<PackageSales> {
  const rows = await db.$queryRaw<Array<{ planId: string; name: string; kind: 'PACKAGE' | 'SUBSCRIPTION'; count: bigint; total: string; currency: string }>>`
    SELECT pl.id AS "planId", pl.name, pl.kind::text AS kind, count(*) FILTER (WHERE p.amount > 0) AS count, sum(p.amount)::text AS total, c.currency
      FROM "Payment" p
      JOIN "PackageCharge" ch ON ch.id = p."packageChargeId"
      JOIN "PatientPackage" pp ON pp.id = ch."patientPackageId"
      JOIN "PackagePlan" pl ON pl.id = pp."planId"
      JOIN "Clinic" c ON c.id = p."clinicId"
     WHERE p."clinicId" = ${clinicId}::uuid AND p."createdAt" >= ${from} AND p."createdAt" < ${to}
     GROUP BY pl.id, pl.name, pl.kind, c.currency
     ORDER BY pl.name, pl.id`;
  const clinic = await db.$queryRaw<Array<{ currency: string }>>`SELECT currency FROM "Clinic" WHERE id = ${clinicId}::uuid`;
  const total = rows.reduce((sum, r) => sum.plus(r.total), new Decimal(0));
  return {
    currency: clinic[0]?.currency ?? 'USD',
    total: money(total),
    count: rows.reduce((n, r) => n + Number(r.count), 0),
    byPlan: rows.map((r) => ({ planId: r.planId, name: r.name, kind: r.kind, count: Number(r.count), total: money(new Decimal(r.total)) })),
  };
}
