/**
 * A patient's account as the database holds it: what completed sessions cost and what was paid
 * against them or on account, and prepaid credit. Amounts stay Decimal (numeric in SQL,
 * Prisma.Decimal here): never floats. Shared by the payments API and the appointment activities.
 */
import { type RawQuerier } from './appointment-usage';
import { type PrismaClient } from './client';
import { Prisma } from './generated/client';
import { documentForPayment, type DocumentLinks, type DocumentMessage } from './billing/documents';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;
type Reader = RawQuerier;

export const money = (d: Decimal) => d.toFixed(2);

/**
 * What a completed session of appointment row `a` costs: the sum of its lines on issued invoices
 * (its own invoice, or its part of a monthly one; tax and any treatment lines included), or
 * price − discount until an invoice bills it.
 */
export const SESSION_COST = Prisma.raw(
  `COALESCE((SELECT sum(l.total) FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId" WHERE l."clinicId" = a."clinicId" AND l."appointmentId" = a.id AND i.status = 'ISSUED'), a.price - a.discount)`,
);

/**
 * The same cost for every session of a clinic at once (the reports): one pass over the clinic's
 * invoice lines instead of a look-up per session. Use as `WITH billed AS (${billedSessions(id)})`,
 * `LEFT JOIN billed ON billed."appointmentId" = a.id`, and BILLED_SESSION_COST for the cost.
 */
export const billedSessions = (clinicId: string) => Prisma.sql`
  SELECT l."appointmentId", sum(l.total) AS total FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId"
   WHERE l."clinicId" = ${clinicId}::uuid AND l."appointmentId" IS NOT NULL AND i.status = 'ISSUED' GROUP BY l."appointmentId"`;
export const BILLED_SESSION_COST = Prisma.raw('COALESCE(billed.total, a.price - a.discount)');

export interface SessionDue {
  appointmentId: string;
  reservationId: string;
  startsAt: string;
  cost: string;
  paid: string;
  due: string;
}

export interface Dues {
  currency: string;
  sessions: SessionDue[];
  /** Paid without naming a session; it counts against the total. */
  onAccount: string;
  total: string;
}

/** Completed, priced sessions with what was paid against each, oldest first, and the total still due. */
export async function outstandingDues(db: Reader, clinicId: string, patientId: string, currency: string): Promise<Dues> {
  const rows = await db.$queryRaw<Array<{ id: string; reservationId: string; startsAt: Date; cost: string; paid: string }>>`
    SELECT a.id, a."reservationId", a."startsAt", (${SESSION_COST})::text AS cost,
           COALESCE((SELECT sum(p.amount) FROM "Payment" p WHERE p."clinicId" = a."clinicId" AND p."appointmentId" = a.id), 0)::text AS paid
      FROM "Appointment" a
     WHERE a."clinicId" = ${clinicId}::uuid AND a."patientId" = ${patientId}::uuid AND a.status = 'COMPLETED' AND a.price IS NOT NULL
     ORDER BY a."startsAt", a.id`;
  const [account] = await db.$queryRaw<Array<{ paid: string }>>`
    SELECT COALESCE(sum(amount), 0)::text AS paid FROM "Payment"
     WHERE "clinicId" = ${clinicId}::uuid AND "patientId" = ${patientId}::uuid AND "appointmentId" IS NULL
       AND "packageChargeId" IS NULL`; // a package's price pays for the package, not on account
  const sessions = rows.map((r) => {
    const cost = new Decimal(r.cost);
    const paid = new Decimal(r.paid);
    return { appointmentId: r.id, reservationId: r.reservationId, startsAt: r.startsAt.toISOString(), cost: money(cost), paid: money(paid), due: money(cost.minus(paid)) };
  });
  const onAccount = new Decimal(account?.paid ?? '0');
  const total = sessions.reduce((sum, s) => sum.plus(s.due), new Decimal(0)).minus(onAccount);
  return { currency, sessions, onAccount: money(onAccount), total: money(total) };
}

export async function creditBalance(db: Reader, clinicId: string, patientId: string): Promise<Decimal> {
  const [row] = await db.$queryRaw<Array<{ balance: string }>>`
    SELECT COALESCE(sum(amount), 0)::text AS balance FROM "CreditEntry" WHERE "clinicId" = ${clinicId}::uuid AND "patientId" = ${patientId}::uuid`;
  return new Decimal(row?.balance ?? '0');
}

/**
 * Takes the patient's row lock (every money write for a patient does, so concurrent ones are
 * checked one after another) and returns the clinic's currency; null for no such patient there.
 */
export async function lockPatient(tx: RawQuerier, clinicId: string, patientId: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<Array<{ currency: string }>>`
    SELECT c.currency FROM "Patient" p JOIN "Clinic" c ON c.id = p."clinicId"
     WHERE p.id = ${patientId}::uuid AND p."clinicId" = ${clinicId}::uuid FOR UPDATE OF p`;
  return row?.currency ?? null;
}

/** The idempotency key of the CREDIT payment that pays a session from prepaid credit (one per session). */
export const sessionCreditKey = (appointmentId: string) => `credit-on-completion:${appointmentId}`;

/**
 * Uses the patient's prepaid credit for a session that has just been completed, as far as it
 * goes: a CREDIT payment and the matching credit use, once per session (a retried completion finds
 * the first). Returns the amount used, or null when there was nothing to use or nothing due.
 */
export async function useCreditForSession(
  prisma: PrismaClient,
  clinicId: string,
  appointmentId: string,
  links: DocumentLinks | null = null,
): Promise<{ amount: string; message: DocumentMessage | null } | null> {
  return prisma.$transaction(async (tx) => {
    const [session] = await tx.$queryRaw<Array<{ patientId: string; cost: string }>>`
      SELECT a."patientId", (${SESSION_COST})::text AS cost FROM "Appointment" a
       WHERE a.id = ${appointmentId}::uuid AND a."clinicId" = ${clinicId}::uuid AND a.status = 'COMPLETED' AND a.price IS NOT NULL`;
    if (!session) return null;
    const currency = await lockPatient(tx, clinicId, session.patientId);
    const idempotencyKey = sessionCreditKey(appointmentId);
    if (currency === null || (await tx.payment.findFirst({ where: { clinicId, idempotencyKey }, select: { id: true } }))) return null;
    const [paid] = await tx.$queryRaw<Array<{ paid: string }>>`
      SELECT COALESCE(sum(amount), 0)::text AS paid FROM "Payment" WHERE "clinicId" = ${clinicId}::uuid AND "appointmentId" = ${appointmentId}::uuid`;
    const due = new Decimal(session.cost).minus(paid?.paid ?? '0');
    const amount = Decimal.min(await creditBalance(tx, clinicId, session.patientId), due);
    if (!amount.greaterThan(0)) return null;
    const payment = await tx.payment.create({
      data: { clinicId, patientId: session.patientId, appointmentId, amount, currency, method: 'CREDIT', note: 'Prepaid credit used when the session was completed', idempotencyKey },
    });
    await tx.creditEntry.create({ data: { clinicId, patientId: session.patientId, amount: amount.negated(), currency, paymentId: payment.id } });
    await tx.auditLog.create({ data: { clinicId, action: 'payment.credit-applied', entityType: 'Payment', entityId: payment.id, changes: { after: { appointmentId, amount: money(amount), method: 'CREDIT' } } } });
    // Every payment has its receipt, written with it.
    const receipt = await documentForPayment(tx, clinicId, { id: payment.id, patientId: session.patientId, amount, currency, method: 'CREDIT', createdAt: payment.createdAt }, links);
    return { amount: money(amount), message: receipt.message };
    // Completions queue for the patient's lock and the receipt counter: wait longer than Prisma's default 2 s for a connection.
  }, { maxWait: 15_000, timeout: 20_000 });
}

const BEFORE_EVERY_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Active patients who owe the clinic something, by id after `after`: the same total as
 * outstandingDues (completed priced sessions less what was paid against them and on account),
 * computed for a page of patients at once.
 */
export async function patientsWithDues(db: Reader, clinicId: string, after: string | undefined, limit: number): Promise<Array<{ patientId: string; total: string }>> {
  const rows = await db.$queryRaw<Array<{ patientId: string; total: string }>>`
    WITH cost AS (
      SELECT a."patientId", sum(${SESSION_COST}) AS cost FROM "Appointment" a
       WHERE a."clinicId" = ${clinicId}::uuid AND a.status = 'COMPLETED' AND a.price IS NOT NULL
       GROUP BY a."patientId"),
    paid AS (
      SELECT p."patientId", sum(p.amount) AS paid FROM "Payment" p LEFT JOIN "Appointment" a ON a.id = p."appointmentId"
       WHERE p."clinicId" = ${clinicId}::uuid AND p."packageChargeId" IS NULL AND (p."appointmentId" IS NULL OR (a.status = 'COMPLETED' AND a.price IS NOT NULL))
       GROUP BY p."patientId")
    SELECT cost."patientId"::text AS "patientId", (cost.cost - COALESCE(paid.paid, 0))::text AS total
      FROM cost LEFT JOIN paid USING ("patientId") JOIN "Patient" pt ON pt.id = cost."patientId" AND pt.active
     WHERE cost."patientId" > ${after ?? BEFORE_EVERY_ID}::uuid AND cost.cost - COALESCE(paid.paid, 0) > 0
     ORDER BY cost."patientId" LIMIT ${limit}`;
  return rows.map((r) => ({ patientId: r.patientId, total: money(new Decimal(r.total)) }));
}
