import { isIsoInstant } from '../../domain/dates';
import { RESCHEDULE_REQUEST_STATUSES } from '../../domain/reschedule-requests';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { text } from '../../domain/text';

const instant = text().refine(isIsoInstant, { message: 'must be a date-time with an offset, e.g. 2026-12-01T09:30:00+01:00' });

export const createRescheduleRequestBody = z
  .object({
    appointmentId: z.uuid(),
    requestedStartsAt: instant,
    reason: text().trim().min(1).max(1000),
  })
  .openapi('CreateRescheduleRequest');

export const approveBody = z.object({ notes: text().trim().max(1000).optional() }).openapi('ApproveRescheduleRequest');
export const rejectBody = z.object({ notes: text().trim().min(1).max(1000) }).openapi('RejectRescheduleRequest');

export const rescheduleRequestListQuery = listQuery.extend({
  status: z.enum(RESCHEDULE_REQUEST_STATUSES).optional(),
  therapistId: z.uuid().optional(),
});

export const rescheduleRequestResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid(),
    appointmentId: z.uuid(),
    therapistId: z.uuid(),
    requestedStartsAt: text(),
    reason: text(),
    status: z.enum(RESCHEDULE_REQUEST_STATUSES),
    decidedById: z.uuid().nullable(),
    decisionNotes: text().nullable(),
    decidedAt: text().nullable(),
    workflowId: text(),
    createdAt: text(),
  })
  .openapi('RescheduleRequest');
