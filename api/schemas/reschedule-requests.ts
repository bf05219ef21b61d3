import { isIsoInstant } from '../../domain/dates';
import { RESCHEDULE_REQUEST_STATUSES } from '../../domain/reschedule-requests';
import { z } from '../openapi/zod';
import { listQuery } from './common';

const instant = z.string().refine(isIsoInstant, { message: 'must be a date-time with an offset, e.g. 2026-12-01T09:30:00+01:00' });

export const createRescheduleRequestBody = z
  .object({
    appointmentId: z.uuid(),
    requestedStartsAt: instant,
    reason: z.string().trim().min(1).max(1000),
  })
  .openapi('CreateRescheduleRequest');

export const approveBody = z.object({ notes: z.string().trim().max(1000).optional() }).openapi('ApproveRescheduleRequest');
export const rejectBody = z.object({ notes: z.string().trim().min(1).max(1000) }).openapi('RejectRescheduleRequest');

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
    requestedStartsAt: z.string(),
    reason: z.string(),
    status: z.enum(RESCHEDULE_REQUEST_STATUSES),
    decidedById: z.uuid().nullable(),
    decisionNotes: z.string().nullable(),
    decidedAt: z.string().nullable(),
    workflowId: z.string(),
    createdAt: z.string(),
  })
  .openapi('RescheduleRequest');
