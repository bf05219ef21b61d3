import { isIsoInstant } from '../../domain/dates';
import { z } from '../openapi/zod';
import { listQuery } from './common';

export const PAYMENT_METHODS = ['CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT', 'STRIPE'] as const;

const SIGNED_AMOUNT = /^-?\d{1,10}(\.\d{1,2})?$/;
/** A non-zero amount with at most two decimals, as a decimal string (a JSON number is accepted too); kept as text so no float rounding creeps in. */
export const signedAmount = z
  .union([z.string(), z.number()])
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
    note: z.string().trim().max(500).optional(),
    reason: z.string().trim().min(1).max(500).optional().describe('Required for refunds (negative amounts)'),
  })
  .refine((b) => !b.amount.startsWith('-') || b.reason !== undefined, { message: 'a refund needs a reason', path: ['reason'] })
  .openapi('RecordPaymentRequest');

export const topUpBody = z
  .object({
    amount: signedAmount.refine((a) => !a.startsWith('-'), 'must be positive'),
    method: z.enum(['CASH', 'CARD', 'UPI', 'BANK_TRANSFER']).default('CASH'),
    note: z.string().trim().max(500).optional(),
  })
  .openapi('TopUpCreditRequest');

export const paymentListQuery = listQuery.extend({
  patientId: z.uuid().optional(),
  appointmentId: z.uuid().optional(),
  method: z.enum(PAYMENT_METHODS).optional(),
  from: z.string().refine(isIsoInstant, 'must be a date-time with an offset').optional(),
  to: z.string().refine(isIsoInstant, 'must be a date-time with an offset').optional(),
});

export const paymentResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid(),
    patientId: z.uuid(),
    appointmentId: z.uuid().nullable(),
    amount: z.string(),
    currency: z.string(),
    method: z.enum(PAYMENT_METHODS),
    note: z.string().nullable(),
    refundReason: z.string().nullable(),
    recordedById: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi('Payment');

export const duesResponse = z
  .object({
    currency: z.string(),
    sessions: z.array(z.object({ appointmentId: z.uuid(), reservationId: z.string(), startsAt: z.string(), cost: z.string(), paid: z.string(), due: z.string() })),
    onAccount: z.string().describe('Paid without naming a session'),
    total: z.string().describe('Still owed: the sessions\' dues less what was paid on account'),
  })
  .openapi('OutstandingDues');

export const creditsResponse = z
  .object({
    balance: z.string(),
    currency: z.string(),
    entries: z.array(z.object({ id: z.uuid(), amount: z.string(), method: z.string().nullable(), paymentId: z.uuid().nullable(), note: z.string().nullable(), createdAt: z.string() })),
  })
  .openapi('PatientCredits');

export const paymentLinkBody = z
  .object({
    successUrl: z.url().optional().describe("Where Stripe sends the patient after paying (default: PUBLIC_API_URL)"),
    cancelUrl: z.url().optional(),
  })
  .openapi('PaymentLinkRequest');

export const paymentLinkResponse = z
  .object({ url: z.string().nullable(), stripeSessionId: z.string(), amount: z.string(), currency: z.string() })
  .openapi('PaymentLink');
