import { APPOINTMENT_STATUSES, APPOINTMENT_TYPES, BOOKING_MODES } from '../../domain/appointments';
import { isIsoDate, isIsoInstant } from '../../domain/dates';
import { z } from '../openapi/zod';
import { listQuery } from './common';
import { text } from '../../domain/text';

const instant = text().refine(isIsoInstant, { message: 'must be a date-time with an offset, e.g. 2026-12-01T09:30:00+01:00' });
const isoDate = text().refine(isIsoDate, { message: 'must be a date as YYYY-MM-DD' });

export const bookAppointmentBody = z
  .object({
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    startsAt: instant.describe('SPECIFIC_TIME: the start. TIME_PERIOD: the earliest acceptable start; the first free slot that day is booked'),
    therapyTypeId: z.uuid().optional(),
    durationMinutes: z.number().int().min(5).max(480).optional().describe('Without a therapy type'),
    type: z.enum(APPOINTMENT_TYPES),
    bookingMode: z.enum(BOOKING_MODES).default('SPECIFIC_TIME'),
    reason: text().trim().min(1).max(1000).optional(),
    usePackage: z
      .enum(['auto', 'require', 'never'])
      .default('auto')
      .describe("auto: a session of the patient's package or subscription that covers the therapy type, else priced as usual; require: refused (422 NO_PACKAGE_SESSION) without one; never: priced as usual"),
    patientPackageId: z.uuid().optional().describe('Take the session from this package of the patient (default: the one that expires first)'),
  })
  .refine((b) => b.therapyTypeId !== undefined || b.durationMinutes !== undefined, { message: 'give a therapyTypeId or a durationMinutes', path: ['therapyTypeId'] })
  .openapi('BookAppointmentRequest');

export const cancelBody = z.object({ reason: text().trim().min(1).max(1000) }).openapi('CancelAppointmentRequest');
export const rescheduleBody = z.object({ startsAt: instant }).openapi('RescheduleAppointmentRequest');
export const completeBody = z
  .object({
    followUpRequired: z.boolean().default(false),
    followUpDate: isoDate.optional(),
    notes: text().trim().max(5000).optional(),
  })
  .refine((b) => !b.followUpRequired || b.followUpDate !== undefined, { message: 'a follow-up needs its suggested date', path: ['followUpDate'] })
  .openapi('CompleteAppointmentRequest');
export const checkInByBarcodeBody = z.object({ barcode: text().trim().min(4).max(64) }).openapi('CheckInByBarcodeRequest');

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
    reservationId: text(),
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    therapyTypeId: z.uuid().nullable(),
    type: z.enum(APPOINTMENT_TYPES),
    bookingMode: z.enum(BOOKING_MODES),
    status: z.enum(APPOINTMENT_STATUSES),
    startsAt: text(),
    endsAt: text(),
    reason: text().nullable(),
    price: text().nullable(),
    currency: text().nullable(),
    patientPackageId: z.uuid().nullable().describe('The package or subscription the session was taken from (then it is priced 0.00)'),
    workflowId: text(),
    confirmedAt: text().nullable(),
    checkedInAt: text().nullable(),
    startedAt: text().nullable(),
    completedAt: text().nullable(),
    cancelledAt: text().nullable(),
    cancelReason: text().nullable(),
    noShowAt: text().nullable(),
    followUpRequired: z.boolean(),
    followUpDate: text().nullable(),
    notes: text().nullable(),
    createdAt: text(),
  })
  .openapi('Appointment');

export const appointmentDetailResponse = appointmentResponse
  .extend({
    workflow: z
      .object({
        status: z.enum(APPOINTMENT_STATUSES),
        upcomingReminders: z.array(text()),
        remindersSent: z.array(z.object({ offsetMinutes: z.number(), dueAt: text(), sentAt: text() })),
        noShowCheckAt: text().nullable(),
        followUpReminderAt: text().nullable(),
      })
      .nullable()
      .describe("The lifecycle workflow's current state (from a query); null once it has finished or cannot be reached"),
  })
  .openapi('AppointmentDetail');
