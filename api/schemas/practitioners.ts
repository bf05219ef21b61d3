import { z } from '../openapi/zod';
import { workingHoursSchema } from '../../domain/availability';
import { amount, sessionMinutes } from './scheduling';
import { text } from '../../domain/text';

export const staffIdParams = z.object({ staffId: z.uuid() });
export const pricingParams = staffIdParams.extend({ therapyTypeId: z.uuid() });

export const workingHoursBody = workingHoursSchema
  .describe(
    'Wall-clock hours in `timezone` (default: the clinic\'s). Weekday 0 = Sunday; "24:00" ends at midnight. An exception replaces that date\'s weekly hours and breaks ([] = not working). Time off: instants with their offset, or whole days (YYYY-MM-DD, `to` included).',
  )
  .openapi('WorkingHoursRequest');

const interval = { start: text(), end: text() };
export const workingHoursResponse = z
  .object({
    practitionerId: z.uuid(),
    timezone: text().describe("The zone the hours are read in: the practitioner's own, else the clinic's"),
    followsClinicTimezone: z.boolean(),
    weekly: z.array(z.object({ weekday: z.number().int(), ...interval })),
    breaks: z.array(z.object({ weekday: z.number().int(), ...interval })),
    exceptions: z.array(z.object({ date: text(), hours: z.array(z.object(interval)) })),
    timeOff: z.array(z.object({ from: text(), to: text(), reason: text().optional() })),
    updatedAt: text(),
  })
  .openapi('WorkingHours');

export const pricingBody = z.object({ durationMinutes: sessionMinutes, price: amount }).openapi('PractitionerPricingRequest');

export const pricingResponse = z
  .object({
    practitionerId: z.uuid(),
    therapyTypeId: z.uuid(),
    therapyTypeName: text(),
    durationMinutes: z.number().int(),
    price: text(),
    currency: text(),
    updatedAt: text(),
  })
  .openapi('PractitionerPricing');
