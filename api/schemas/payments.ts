import { isIsoInstant } from '../../domain/dates';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { text } from '../../domain/text';
import { returnUrl } from './return-urls';

export const PAYMENT_METHODS = ['CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT', 'STRIPE'] as const;

const SIGNED_AMOUNT = /^-?\d{1,10}(\.\d{1,2})?$/;
/** A non-zero amount with at most two decimals, as a decimal string (a JSON number is accepted too); kept as text so no float rounding creeps in. */
export const signedAmount = z
  .union([text(), z.number()])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? String(v) : v.trim();
    if (!SIGNED_AMOUNT.test(text) || /^-?0+(\.0+)?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a non-zero amount with at most two decimals, e.g. "45.50" (negative for a refund)' });
      return z.NEVER;
    }
    return text;
  })
  .openapi({ type: 'string', example: '45.50' });

export const recordPaymentBody = z
  .object({
    patientId: z.uuid(),
    amount: signedAmount,
    method: z.enum(PAYMENT_METHODS.filter((m) => m !== 'STRIPE') as ['CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT']).describe('STRIPE payments come from Stripe'),
    appointmentId: z.uuid().optional().describe('The completed session paid for; without it the payment is on account'),
    note: text().trim().max(500).optional(),
    reason: text().trim().min(1).max(500).optional().describe('Required for refunds (negative amounts)'),
  })
  .refine((b) => !b.amount.startsWith('-') || b.reason !== undefined, { message: 'a refund needs a reason', path: ['reason'] })
  .openapi('RecordPaymentRequest');

export const topUpBody = z
  .object({
    amount: signedAmount.refine((a) => !a.startsWith('-'), 'must be positive'),
    method: z.enum(['CASH', 'CARD', 'UPI', 'BANK_TRANSFER']).default('CASH'),
    note: text().trim().max(500).optional(),
  })
  .openapi('TopUpCreditRequest');

export const paymentListQuery = listQuery.extend({
  patientId: z.uuid().optional(),
  appointmentId: z.uuid().optional(),
  method: z.enum(PAYMENT_METHODS).optional(),
  from: text().refine(isIsoInstant, 'must be a date-time with an offset').optional(),
  to: text().refine(isIsoInstant, 'must be a date-time with an offset').optional(),
});

export const paymentResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid(),
    patientId: z.uuid(),
    appointmentId: z.uuid().nullable(),
    amount: text(),
    currency: text(),
    method: z.enum(PAYMENT_METHODS),
    note: text().nullable(),
    refundReason: text().nullable(),
    recordedById: z.uuid().nullable(),
    createdAt: text(),
  })
  .openapi('Payment');

export const duesResponse = z
  .object({
    currency: text(),
    sessions: z.array(z.object({ appointmentId: z.uuid(), reservationId: text(), startsAt: text(), cost: text(), paid: text(), due: text() })),
    onAccount: text().describe('Paid without naming a session'),
    total: text().describe('Still owed: the sessions\' dues less what was paid on account'),
  })
  .openapi('OutstandingDues');

export const creditsResponse = z
  .object({
    balance: text(),
    currency: text(),
    entries: z.array(z.object({ id: z.uuid(), amount: text(), method: text().nullable(), paymentId: z.uuid().nullable(), note: text().nullable(), createdAt: text() })),
  })
  .openapi('PatientCredits');

export const paymentLinkBody = z
  .object({
    successUrl: returnUrl.optional().describe("Where Stripe sends the patient after paying (default: PUBLIC_API_URL): https, on one of the clinic's paymentReturnOrigins"),
    cancelUrl: returnUrl.optional().describe('Where Stripe sends the patient who cancels; the same rules'),
  })
  .openapi('PaymentLinkRequest');

export const paymentLinkResponse = z
  .object({ url: text().nullable(), stripeSessionId: text(), amount: text(), currency: text() })
  .openapi('PaymentLink');
