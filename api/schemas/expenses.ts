import { isIsoDate } from '../../domain/dates';
import { text } from '../../domain/text';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { amount } from './scheduling';

/** How the clinic paid; CREDIT and STRIPE are patients' ways of paying the clinic. */
export const EXPENSE_METHODS = ['CASH', 'CARD', 'UPI', 'BANK_TRANSFER'] as const;
/** Receipt files: scans and PDFs, nothing a browser would run. */
export const RECEIPT_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'] as const;
export const RECEIPT_MAX_BYTES = 5 * 1024 * 1024;

const isoDate = text().refine(isIsoDate, 'must be a date (YYYY-MM-DD)');
const category = text().trim().min(1).max(60).describe('e.g. rent, supplies, salaries, utilities');
const positiveAmount = amount.refine((a) => !/^0+(\.0+)?$/.test(a), 'must be more than zero');

export const createExpenseBody = z
  .object({
    category,
    amount: positiveAmount,
    date: isoDate.describe("The day it was spent, in the clinic's calendar"),
    vendor: text().trim().min(1).max(200).optional(),
    paymentMethod: z.enum(EXPENSE_METHODS),
    note: text().trim().max(1000).optional(),
  })
  .openapi('CreateExpenseRequest');

export const updateExpenseBody = z
  .object({
    category: category.optional(),
    amount: positiveAmount.optional(),
    date: isoDate.optional(),
    vendor: text().trim().min(1).max(200).nullable().optional(),
    paymentMethod: z.enum(EXPENSE_METHODS).optional(),
    note: text().trim().max(1000).nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateExpenseRequest');

export const expenseListQuery = listQuery.extend({
  from: isoDate.optional().describe('First day, inclusive'),
  to: isoDate.optional().describe('Last day, inclusive'),
  category: text().trim().min(1).max(60).optional(),
});

export const expenseResponse = z
  .object({
    id: z.uuid(),
    category: text(),
    amount: text(),
    currency: text(),
    date: text(),
    vendor: text().nullable(),
    paymentMethod: z.enum(EXPENSE_METHODS),
    note: text().nullable(),
    receipt: z.object({ contentType: text(), size: z.number().int() }).nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('Expense');
