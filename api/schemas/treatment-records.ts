import { isIsoDate } from '../../domain/dates';
import { text } from '../../domain/text';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { amount, sessionMinutes } from './scheduling';
import { barcode } from './therapy-types';

const isoDate = text().refine(isIsoDate, { message: 'must be a date as YYYY-MM-DD' });
const clinicalText = text().trim().max(10_000);

export const recordIdParams = z.object({ id: z.uuid(), recordId: z.uuid() });

const followUp = z
  .object({ required: z.boolean(), date: isoDate.optional(), notes: clinicalText.optional() })
  .refine((f) => !f.required || f.date !== undefined, { message: 'a follow-up needs its suggested date', path: ['date'] });

/** The clinical fields: set on creation, changed while a draft, corrected by amendments once signed. */
const clinicalFields = {
  notes: clinicalText.optional(),
  complications: clinicalText.optional(),
  patientFeedback: clinicalText.optional(),
  followUp: followUp.optional(),
};

export const createTreatmentRecordBody = z
  .object({
    items: z
      .array(z.object({ therapyTypeId: z.uuid(), quantity: z.number().int().min(1).max(20).default(1) }))
      .min(1)
      .max(20)
      .describe('Catalogue items (therapy types) performed'),
    materials: z
      .array(z.object({ itemId: z.uuid(), quantity: z.number().int().min(1).max(100_000) }))
      .max(50)
      .default([])
      .describe('Inventory used: saving the record takes it off stock, in the same transaction'),
    durationMinutes: sessionMinutes.optional().describe("Defaults to the items' default durations"),
    cost: amount.optional().describe("Defaults to the items' default prices"),
    discount: amount.optional(),
    ...clinicalFields,
    verification: z
      .object({
        method: z.enum(['SCANNED', 'ENTERED']),
        patientBarcode: text().trim().min(3).max(64),
        treatmentBarcodes: z.array(barcode).max(20).default([]),
      })
      .optional()
      .describe("The patient's card, and the barcode of every item that has one; a mismatch answers 422 BARCODE_MISMATCH. Without it the record is saved unverified."),
  })
  .openapi('CreateTreatmentRecordRequest');

export const updateTreatmentRecordBody = z
  .object(clinicalFields)
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateTreatmentRecordRequest');

export const amendTreatmentRecordBody = z
  .object({ reason: text().trim().min(3).max(1000), ...clinicalFields })
  .refine((b) => b.notes !== undefined || b.complications !== undefined || b.patientFeedback !== undefined || b.followUp !== undefined, { message: 'an amendment changes at least one field' })
  .openapi('AmendTreatmentRecordRequest');

export const treatmentRecordListQuery = listQuery;

const clinicalContent = z.object({
  notes: text().nullable(),
  complications: text().nullable(),
  patientFeedback: text().nullable(),
  followUpRequired: z.boolean(),
  followUpDate: text().nullable(),
  followUpNotes: text().nullable(),
});

export const treatmentRecordResponse = z
  .object({
    id: z.uuid(),
    appointmentId: z.uuid(),
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    recordedById: z.uuid(),
    status: z.enum(['DRAFT', 'SIGNED']),
    version: z.number().int(),
    durationMinutes: z.number().int(),
    cost: text(),
    discount: text(),
    finalAmount: text(),
    currency: text(),
    ...clinicalContent.shape,
    barcodeVerified: z.boolean(),
    barcodeEntry: z.enum(['SCANNED', 'ENTERED']).nullable(),
    items: z.array(z.object({ therapyTypeId: z.uuid(), name: text(), quantity: z.number().int(), unitPrice: text() })),
    materials: z.array(z.object({ itemId: z.uuid(), name: text(), quantity: z.number().int(), unit: text() })),
    signedAt: text().nullable(),
    signedById: z.uuid().nullable(),
    createdAt: text(),
    updatedAt: text(),
    versions: z
      .array(z.object({ version: z.number().int(), reason: text().nullable(), byId: z.uuid(), createdAt: text(), content: clinicalContent }))
      .optional()
      .describe('Every signed version, first to last (on GET of one record)'),
  })
  .openapi('TreatmentRecord');
