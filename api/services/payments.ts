/**
 * The writes that change a patient's account (prisma/patient-accounts.ts reads it): payments,
 * refunds and credit top-ups. Every write first takes the patient's row lock, so concurrent
 * payments are checked one after another and dues stay exact.
 */
import { type Request } from 'express';
import { type Payment, type PaymentMethod, Prisma } from '../../prisma/generated/client';
import { type RawQuerier } from '../../prisma/appointment-usage';
import { type PrismaClient } from '../../prisma/client';
import { creditBalance, lockPatient, money, outstandingDues } from '../../prisma/patient-accounts';
import { ApiError } from '../http/api-error';
import { replayable, requestFingerprint } from '../http/idempotency-key';
import { isUniqueViolation } from '../http/prisma-helpers';
import { documentForPayment, type DocumentLinks, type DocumentMessage } from '../../prisma/billing/documents';
import { writeAudit } from './audit';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;

/** The lock, or 404 for a patient of another clinic. */
async function lockOwnPatient(tx: RawQuerier, clinicId: string, patientId: string): Promise<string> {
  const currency = await lockPatient(tx, clinicId, patientId);
  if (currency === null) throw ApiError.notFound('Patient');
  return currency;
}

export interface PaymentInput {
  patientId: string;
  /** Positive: received. Negative: refunded (with a refundReason). */
  amount: Decimal;
  method: PaymentMethod;
  appointmentId?: string;
  note?: string;
  refundReason?: string;
}

/**
 * Records a payment or refund. A payment may not exceed what is due (the session's, or the
 * patient's total when on account): 422 OVERPAYMENT, top up credit instead. A refund may not
 * exceed what was paid there. CREDIT draws on the credit balance (a refund by CREDIT returns to it).
 */
export async function recordPayment(
  req: Request,
  input: PaymentInput,
  idempotencyKey: string,
  links: DocumentLinks | null = null,
): Promise<{ payment: Payment; replayed: boolean; message?: DocumentMessage | null }> {
  const { db, clinicId } = req.tenant!;
  const fingerprint = requestFingerprint(req);
  const earlier = await db.payment.findFirst({ where: { idempotencyKey } });
  if (earlier) return { payment: replayable(earlier, fingerprint), replayed: true };
  try {
    let message: DocumentMessage | null = null;
    const payment = await db.$transaction(async (tx) => {
      const currency = await lockOwnPatient(tx, clinicId, input.patientId);
      const dues = await outstandingDues(tx, clinicId, input.patientId, currency);
      let room: Decimal; // what may still be paid (or, for a refund, given back) where this lands
      if (input.appointmentId) {
        const session = dues.sessions.find((s) => s.appointmentId === input.appointmentId);
        if (!session) {
          const exists = await tx.appointment.findFirst({ where: { id: input.appointmentId, patientId: input.patientId }, select: { status: true } });
          if (!exists) throw ApiError.notFound('Appointment');
          throw ApiError.unprocessable('NOT_PAYABLE', `Only completed, priced sessions take payments; this one is ${exists.status}`);
        }
        room = input.amount.greaterThan(0) ? new Decimal(session.due) : new Decimal(session.paid);
      } else {
        room = input.amount.greaterThan(0) ? new Decimal(dues.total) : new Decimal(dues.onAccount);
      }
      if (input.amount.greaterThan(0) && input.amount.greaterThan(room)) {
        throw ApiError.unprocessable('OVERPAYMENT', `Only ${money(room)} ${currency} is due there; top up the patient's credit for the rest`);
      }
      if (input.amount.lessThan(0) && input.amount.abs().greaterThan(room)) {
        throw ApiError.unprocessable('REFUND_EXCEEDS_PAID', `Only ${money(room)} ${currency} was paid there`);
      }
      if (input.method === 'CREDIT' && input.amount.greaterThan(0) && (await creditBalance(tx, clinicId, input.patientId)).lessThan(input.amount)) {
        throw ApiError.unprocessable('INSUFFICIENT_CREDIT', "The patient's credit does not cover this amount");
      }
      const created = await tx.payment.create({
        data: {
          clinicId,
          patientId: input.patientId,
          appointmentId: input.appointmentId ?? null,
          amount: input.amount,
          currency,
          method: input.method,
          note: input.note ?? null,
          refundReason: input.refundReason ?? null,
          idempotencyKey,
          idempotencyFingerprint: fingerprint,
          recordedById: req.auth!.userId,
        },
      });
      if (input.method === 'CREDIT') {
        // Paying by credit uses it up; refunding to credit gives it back.
        await tx.creditEntry.create({ data: { clinicId, patientId: input.patientId, amount: input.amount.negated(), currency, paymentId: created.id, recordedById: req.auth!.userId } });
      }
      await writeAudit(tx, req, { action: input.amount.lessThan(0) ? 'payment.refund' : 'payment.record', entityType: 'Payment', entityId: created.id, clinicId, after: created });
      // Its receipt (or, for a refund, its credit note), numbered in the same transaction.
      message = (await documentForPayment(tx, clinicId, created, links)).message;
      return created;
    });
    return { payment, replayed: false, message };
  } catch (err) {
    // The same key sent twice at once: the other request recorded it.
    if (isUniqueViolation(err)) {
      const winner = await db.payment.findFirst({ where: { idempotencyKey } });
      if (winner) return { payment: replayable(winner, fingerprint), replayed: true };
    }
    throw err;
  }
}

/** Adds prepaid credit (money received in advance); returns the new balance. */
export async function topUpCredit(
  req: Request,
  input: { patientId: string; amount: Decimal; method: Exclude<PaymentMethod, 'CREDIT'>; note?: string },
  idempotencyKey: string,
): Promise<{ balance: string; currency: string; replayed: boolean }> {
  const { db, clinicId } = req.tenant!;
  const fingerprint = requestFingerprint(req);
  const earlierTopUp = () => db.creditEntry.findFirst({ where: { idempotencyKey }, select: { idempotencyFingerprint: true, createdAt: true } });
  const earlier = await earlierTopUp();
  if (earlier) replayable(earlier, fingerprint);
  const replayed = !!earlier;
  await db
    .$transaction(async (tx) => {
      if (replayed) return;
      const currency = await lockOwnPatient(tx, clinicId, input.patientId);
      const entry = await tx.creditEntry.create({
        data: { clinicId, patientId: input.patientId, amount: input.amount, currency, method: input.method, note: input.note ?? null, idempotencyKey, idempotencyFingerprint: fingerprint, recordedById: req.auth!.userId },
      });
      await writeAudit(tx, req, { action: 'credit.top-up', entityType: 'CreditEntry', entityId: entry.id, clinicId, after: entry });
    })
    .catch(async (err: unknown) => {
      if (!isUniqueViolation(err)) throw err;
      // The same key sent twice at once: the other request added it, and it must have been this request.
      const winner = await earlierTopUp();
      if (winner) replayable(winner, fingerprint);
    });
  const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } });
  return { balance: money(await creditBalance(db, clinicId, input.patientId)), currency: clinic.currency, replayed };
}

/**
 * A payment Stripe reports (a paid Checkout Session), recorded once per Stripe event: on account
 * as far as anything is due, the rest as prepaid credit (the money has been taken either way).
 * Returns false when the event was recorded before or names no patient of that clinic.
 */
export async function recordStripePayment(
  prisma: PrismaClient,
  input: { clinicId: string; patientId: string; amount: string; eventId: string },
  links: DocumentLinks | null = null,
): Promise<{ messages: DocumentMessage[] } | false> {
  const idempotencyKey = `stripe:${input.eventId}`;
  try {
    return await prisma.$transaction(async (tx) => {
      const currency = await lockPatient(tx, input.clinicId, input.patientId);
      if (currency === null) return false;
      if (await tx.payment.findFirst({ where: { clinicId: input.clinicId, idempotencyKey }, select: { id: true } })) return false;
      const messages: DocumentMessage[] = [];
      const received = new Decimal(input.amount);
      const due = Decimal.max(new Decimal((await outstandingDues(tx, input.clinicId, input.patientId, currency)).total), 0);
      const onAccount = Decimal.min(received, due);
      const base = { clinicId: input.clinicId, patientId: input.patientId, currency };
      if (onAccount.greaterThan(0)) {
        const payment = await tx.payment.create({ data: { ...base, amount: onAccount, method: 'STRIPE', note: `Stripe event ${input.eventId}`, idempotencyKey } });
        await tx.auditLog.create({ data: { clinicId: input.clinicId, action: 'payment.stripe', entityType: 'Payment', entityId: payment.id, changes: { after: { amount: money(onAccount), method: 'STRIPE' } } } });
        const { message } = await documentForPayment(tx, input.clinicId, payment, links);
        if (message) messages.push(message);
      }
      const excess = received.minus(onAccount);
      if (excess.greaterThan(0)) {
        await tx.creditEntry.create({ data: { ...base, amount: excess, method: 'STRIPE', note: `Stripe event ${input.eventId}`, idempotencyKey } });
      }
      return { messages };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return false; // the same event delivered twice at once
    throw err;
  }
}
