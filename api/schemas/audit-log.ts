import { isIsoInstant } from '../../domain/dates';
import { ROLES } from '../../domain/roles';
import { z } from '../openapi/zod';
import { listQuery } from './common';

// Names and ids only: the trail is searched by what the code writes, never by free text.
const name = (max: number) => z.string().regex(new RegExp(`^[A-Za-z0-9_.:-]{1,${max}}$`), 'letters, digits and _ . : - only');
const instant = z.string().refine(isIsoInstant, 'must be a date-time with an offset');

export const auditLogQuery = listQuery.extend({
  clinicId: z.uuid().optional().describe("Platform staff: one clinic's entries (as X-Clinic-Id does); without either, every clinic's and the platform's own. Clinic staff: their own clinic only"),
  entityType: name(64).optional().describe('e.g. Patient, Appointment, StaffUser'),
  entityId: name(64).optional(),
  actorId: z.uuid().optional().describe('The staff member who acted'),
  action: name(100).optional().describe('e.g. patient.read, patient.update, appointment.book'),
  from: instant.optional().describe('Entries at or after this instant'),
  to: instant.optional().describe('Entries before this instant'),
});

export const auditEntryResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid().nullable(),
    actorId: z.uuid().nullable(),
    actorRole: z.enum(ROLES).nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    changes: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The changed fields' values, as before and after; patient identity and health fields show as [redacted]. Reads have none"),
    requestId: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');
