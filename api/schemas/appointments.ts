import { APPOINTMENT_STATUSES, APPOINTMENT_TYPES, BOOKING_MODES } from '../../domain/appointments';
import { isIsoDate, isIsoInstant } from '../../domain/dates';
import { z } from '../openapi/zod';
import { listQuery } from './common';

const instant = z.string().refine(isIsoInstant, { message: 'must be a date-time with an offset, e.g. 2026-12-01T09:30:00+01:00' });
const isoDate = z.string().refine(isIsoDate, { message: 'must be a date as YYYY-MM-DD' });

export const bookAppointmentBody = z
  .object({
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    startsAt: instant.describe('SPECIFIC_TIME: the start. TIME_PERIOD: the earliest acceptable start; the first free slot that day is booked'),
    therapyTypeId: z.uuid().optional(),
    durationMinutes: z.number().int().min(5).max(480).optional().describe('Without a therapy type'),
    type: z.enum(APPOINTMENT_TYPES),
    bookingMode: z.enum(BOOKING_MODES).default('SPECIFIC_TIME'),
    reason: z.string().trim().min(1).max(1000).optional(),
  })
  .refine((b) => b.therapyTypeId !== undefined || b.durationMinutes !== undefined, { message: 'give a therapyTypeId or a durationMinutes', path: ['therapyTypeId'] })
  .openapi('BookAppointmentRequest');

export const cancelBody = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi('CancelAppointmentRequest');
export const rescheduleBody = z.object({ startsAt: instant }).openapi('RescheduleAppointmentRequest');
export const completeBody = z
  .object({
    followUpRequired: z.boolean().default(false),
    followUpDate: isoDate.optional(),
    notes: z.string().trim().max(5000).optional(),
  })
  .refine((b) => !b.followUpRequired || b.followUpDate !== undefined, { message: 'a follow-up needs its suggested date', path: ['followUpDate'] })
  .openapi('CompleteAppointmentRequest');
export const checkInByBarcodeBody = z.object({ barcode: z.string().trim().min(4).max(64) }).openapi('CheckInByBarcodeRequest');

export const appointmentListQuery = listQuery.extend({
  from: instant.optional().describe('Appointments starting at or after'),
  to: instant.optional().describe('Appointments starting before'),
  practitionerId: z.uuid().optional(),
  patientId: z.uuid().optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
});

export const appointmentResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid(),
    reservationId: z.string(),
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    therapyTypeId: z.uuid().nullable(),
    type: z.enum(APPOINTMENT_TYPES),
    bookingMode: z.enum(BOOKING_MODES),
    status: z.enum(APPOINTMENT_STATUSES),
    startsAt: z.string(),
    endsAt: z.string(),
    reason: z.string().nullable(),
    price: z.string().nullable(),
    currency: z.string().nullable(),
    workflowId: z.string(),
    confirmedAt: z.string().nullable(),
    checkedInAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    cancelReason: z.string().nullable(),
    noShowAt: z.string().nullable(),
    followUpRequired: z.boolean(),
    followUpDate: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Appointment');

export const appointmentDetailResponse = appointmentResponse
  .extend({
    workflow: z
      .object({
        status: z.enum(APPOINTMENT_STATUSES),
        upcomingReminders: z.array(z.string()),
        remindersSent: z.array(z.object({ offsetMinutes: z.number(), dueAt: z.string(), sentAt: z.string() })),
        noShowCheckAt: z.string().nullable(),
        followUpReminderAt: z.string().nullable(),
      })
      .nullable()
      .describe("The lifecycle workflow's current state (from a query); null once it has finished or cannot be reached"),
  })
  .openapi('AppointmentDetail');
