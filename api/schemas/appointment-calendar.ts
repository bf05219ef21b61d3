import { z } from '../openapi/zod';
import { AppointmentStatus, AppointmentType } from '../../prisma/generated/enums';
import { dateOrInstant, sessionMinutes } from './scheduling';
import { text } from '../../domain/text';

const range = {
  from: dateOrInstant.describe('An instant with its offset, or a date (from the start of that local day)'),
  to: dateOrInstant.describe('An instant with its offset, or a date (to the end of that local day, included); at most 14 days after from'),
};

export const availabilityQuery = z.object({
  practitionerId: z.uuid(),
  ...range,
  therapyTypeId: z.uuid().optional(),
  durationMinutes: z.coerce.number().pipe(sessionMinutes).optional().describe('Used without a therapy type; neither: 60'),
});

const localStamp = text().describe('YYYY-MM-DDTHH:MM on clocks in the practitioner\'s zone');

export const availabilityResponse = z
  .object({
    practitionerId: z.uuid(),
    timezone: text(),
    durationMinutes: z.number().int(),
    price: text().nullable().describe('The session price with the therapy type; null without one'),
    currency: text().nullable(),
    slots: z.array(z.object({ startsAt: text(), endsAt: text(), localStart: localStamp, localEnd: localStamp })),
  })
  .openapi('Availability');

export const calendarQuery = z.object({ ...range, practitionerId: z.uuid().optional() });

export const calendarEntry = z
  .object({
    id: z.uuid(),
    reservationId: text(),
    patientId: z.uuid(),
    practitionerId: z.uuid(),
    therapyTypeId: z.uuid().nullable(),
    type: z.enum(AppointmentType),
    status: z.enum(AppointmentStatus),
    startsAt: text(),
    endsAt: text(),
    timezone: text().describe("The practitioner's zone, in which the local times are given"),
    localStart: localStamp,
    localEnd: localStamp,
  })
  .openapi('CalendarEntry');

export const calendarResponse = z
  .object({ from: text(), to: text(), timezone: text().describe('The zone dates in from/to were read in'), appointments: z.array(calendarEntry) })
  .openapi('Calendar');
