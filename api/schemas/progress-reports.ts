import { GOAL_STATUSES, templateSections } from '../../domain/progress-reports';
import { isIsoInstant } from '../../domain/dates';
import { jsonValue, text } from '../../domain/text';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { CHANNELS } from '../../domain/messaging';

const instant = text().refine(isIsoInstant, { message: 'must be an ISO 8601 instant such as 2026-03-01T09:00:00Z' });

export const templateSectionsSchema = templateSections.describe(
  'Sections of fields. Field types: text, scale (0–10), checkbox, goal ({status: ' + GOAL_STATUSES.join('|') + ', note?}); required fields must be filled to sign',
);

export const createTemplateBody = z
  .object({
    name: text().trim().min(1).max(200),
    therapyTypeId: z.uuid().nullable().optional().describe('The therapy type it is for; none: any'),
    sections: templateSectionsSchema,
  })
  .openapi('CreateProgressReportTemplate');

export const updateTemplateBody = z
  .object({
    name: text().trim().min(1).max(200).optional(),
    therapyTypeId: z.uuid().nullable().optional(),
    sections: templateSectionsSchema.optional().describe('Only while no report uses the template (otherwise archive it and make a new one)'),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .openapi('UpdateProgressReportTemplate');

export const templateListQuery = listQuery.extend({
  therapyTypeId: z.uuid().optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const templateResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    therapyTypeId: z.uuid().nullable(),
    sections: z.array(jsonValue()),
    active: z.boolean(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('ProgressReportTemplate');

/** Checked against the template's own schema in the handler (400 with body.values.<section>.<field>). */
const values = z.record(text(), jsonValue()).describe('{sectionKey: {fieldKey: value}} as the template describes');

export const createReportBody = z
  .object({
    patientId: z.uuid(),
    templateId: z.uuid(),
    appointmentId: z.uuid().optional().describe('The session the report is about'),
    values: values.default({}),
  })
  .openapi('CreateProgressReport');

export const updateReportBody = z.object({ values }).openapi('UpdateProgressReport');

export const reportListQuery = listQuery.extend({
  patientId: z.uuid().optional(),
  practitionerId: z.uuid().optional().describe('The therapist who wrote it'),
  appointmentId: z.uuid().optional(),
  status: z.enum(['DRAFT', 'SIGNED']).optional(),
  from: instant.optional().describe('Reported at or after'),
  to: instant.optional().describe('Reported before'),
});

export const reportResponse = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    appointmentId: z.uuid().nullable(),
    practitionerId: z.uuid(),
    templateId: z.uuid(),
    status: z.enum(['DRAFT', 'SIGNED']),
    values: z.record(text(), jsonValue()),
    reportedAt: text(),
    signedAt: text().nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('ProgressReport');

export const compareQuery = z.object({ a: z.uuid().describe('The earlier report'), b: z.uuid().describe('The later report') });

export const comparisonResponse = z
  .object({
    before: z.object({ id: z.uuid(), reportedAt: text() }),
    after: z.object({ id: z.uuid(), reportedAt: text() }),
    scores: z.array(z.object({ section: text(), field: text(), label: text(), before: z.number().nullable(), after: z.number().nullable(), delta: z.number().nullable() })),
  })
  .openapi('ProgressReportComparison');

export const shareReportBody = z
  .object({
    to: z.enum(['patient', 'guardian']).default('patient'),
    channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).default(['email']),
    expiresInHours: z.number().int().min(1).max(24 * 30).default(72),
  })
  .openapi('ShareProgressReport');

export const shareReportResponse = z.object({ messageId: z.uuid(), workflowId: text(), expiresAt: text() }).openapi('ProgressReportShared');
