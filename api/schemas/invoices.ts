import { isIsoInstant } from '../../domain/dates';
import { Prisma } from '../../prisma/generated/client';
import { text } from '../../domain/text';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { PAYMENT_METHODS, paymentResponse } from './payments';

/** A non-negative amount with at most two decimals and `digits` before the point, as a decimal string (a JSON number is accepted too). */
const amount = (digits: number, example: string) =>
  z
    .union([text(), z.number()])
    .transform((v, ctx) => {
      const s = typeof v === 'number' ? String(v) : v.trim();
      if (!new RegExp(`^\\d{1,${digits}}(\\.\\d{1,2})?$`).test(s)) {
        ctx.addIssue({ code: 'custom', message: `must be an amount with at most ${digits} digits and two decimals, e.g. "${example}"` });
        return z.NEVER;
      }
      return s;
    })
    .openapi({ type: 'string', example });

export const invoiceListQuery = listQuery.extend({
  patientId: z.uuid().optional(),
  appointmentId: z.uuid().optional(),
  status: z.enum(['ISSUED', 'CREDITED']).optional(),
  from: text().refine(isIsoInstant, 'must be a date-time with an offset').optional().describe('Issued at or after'),
  to: text().refine(isIsoInstant, 'must be a date-time with an offset').optional().describe('Issued before'),
});

const creditNoteResponse = z
  .object({
    id: z.uuid(),
    number: text(),
    patientId: z.uuid(),
    invoiceId: z.uuid().nullable(),
    paymentId: z.uuid().nullable(),
    amount: text(),
    taxAmount: text(),
    currency: text(),
    reason: text(),
    issuedAt: text(),
  })
  .openapi('CreditNote');

export const invoiceResponse = z
  .object({
    id: z.uuid(),
    number: text(),
    status: z.enum(['ISSUED', 'CREDITED']),
    patientId: z.uuid(),
    appointmentId: z.uuid().nullable(),
    currency: text(),
    taxLabel: text(),
    taxRate: text(),
    pricesIncludeTax: z.boolean(),
    subtotal: text(),
    taxTotal: text(),
    total: text(),
    correctsInvoiceId: z.uuid().nullable(),
    note: text().nullable(),
    issuedAt: text(),
    lines: z.array(
      z.object({
        position: z.number().int(),
        kind: text(),
        description: text(),
        quantity: text(),
        unitPrice: text(),
        discount: text(),
        net: text(),
        tax: text(),
        total: text(),
        therapyTypeId: z.uuid().nullable(),
        appointmentId: z.uuid().nullable().describe('The session the line bills'),
      }),
    ),
    creditNotes: z.array(creditNoteResponse),
  })
  .openapi('Invoice');

export { creditNoteResponse };

export const correctionBody = z
  .object({
    reason: text().trim().min(1).max(500),
    lines: z
      .array(
        z.object({
          description: text().trim().min(1).max(200),
          quantity: amount(3, '1').optional().describe('Default 1'),
          unitPrice: amount(7, '1200.00'),
          discount: amount(7, '0.00').optional().describe('Default 0'),
          appointmentId: z.uuid().optional().describe("The session the line bills: one of the invoice's sessions (required on a month's invoice of several; default: the invoice's session)"),
        })
        .refine((l) => new Prisma.Decimal(l.discount ?? '0').lessThanOrEqualTo(new Prisma.Decimal(l.quantity ?? '1').times(l.unitPrice)), { message: 'the discount exceeds the line', path: ['discount'] }),
      )
      .min(1)
      .max(50)
      .optional()
      .describe("The corrected invoice's lines; without them they are derived again from the session or sessions (their price, discount and treatment records now)"),
  })
  .openapi('InvoiceCorrectionRequest');

export const correctionResponse = z
  .object({ creditNote: creditNoteResponse, invoice: invoiceResponse })
  .openapi('InvoiceCorrection');

export const paymentDetailResponse = paymentResponse
  .extend({
    allocation: z.object({
      kind: z.enum(['session', 'account']).describe('Against one session, or on account'),
      appointmentId: z.uuid().nullable(),
      reservationId: text().nullable(),
      creditUsed: text().nullable().describe('For CREDIT payments: what the credit balance gave (or, for a refund to credit, took back)'),
    }),
    receipt: z.object({ id: z.uuid(), number: text(), issuedAt: text() }).nullable(),
    creditNote: z.object({ id: z.uuid(), number: text(), issuedAt: text() }).nullable(),
    method: z.enum(PAYMENT_METHODS),
  })
  .openapi('PaymentDetail');
