import { z } from '../openapi/zod';
import { booleanQuery, listQuery } from './common';
import { amount, currency, sessionMinutes } from './scheduling';
import { text } from '../../domain/text';

const name = text().trim().min(1).max(100);
/** What is printed on a treatment's or an item's card; scanned or typed in. */
export const barcode = text().trim().min(3).max(64).regex(/^[A-Za-z0-9._:/-]+$/, 'letters, digits and . _ : / - only');
const instructions = text().trim().max(5000);

export const createTherapyTypeBody = z
  .object({
    name,
    defaultDurationMinutes: sessionMinutes,
    defaultPrice: amount,
    currency,
    categoryId: z.uuid().optional(),
    instructions: instructions.optional(),
    barcode: barcode.optional(),
  })
  .openapi('CreateTherapyTypeRequest');

export const updateTherapyTypeBody = z
  .object({
    name: name.optional(),
    defaultDurationMinutes: sessionMinutes.optional(),
    defaultPrice: amount.optional(),
    currency: currency.optional(),
    active: z.boolean().optional(),
    categoryId: z.uuid().nullable().optional(),
    instructions: instructions.nullable().optional(),
    barcode: barcode.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateTherapyTypeRequest');

export const therapyTypeListQuery = listQuery.extend({
  active: booleanQuery.optional(),
  categoryId: z.uuid().optional(),
  /** The scanned code of a treatment: the one type that carries it. */
  barcode: barcode.optional(),
  /** Archived types are left out unless asked for. */
  includeArchived: booleanQuery.optional(),
});

export const therapyTypeResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    defaultDurationMinutes: z.number().int(),
    defaultPrice: text(),
    currency: text(),
    active: z.boolean(),
    categoryId: z.uuid().nullable(),
    instructions: text().nullable(),
    barcode: text().nullable(),
    archivedAt: text().nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('TherapyType');

export const createCategoryBody = z.object({ name, description: text().trim().max(1000).optional() }).openapi('CreateTreatmentCategoryRequest');
export const updateCategoryBody = z
  .object({ name: name.optional(), description: text().trim().max(1000).nullable().optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateTreatmentCategoryRequest');
export const categoryListQuery = listQuery.extend({ includeArchived: booleanQuery.optional() });
export const categoryResponse = z
  .object({ id: z.uuid(), name: text(), description: text().nullable(), archivedAt: text().nullable(), createdAt: text(), updatedAt: text() })
  .openapi('TreatmentCategory');
