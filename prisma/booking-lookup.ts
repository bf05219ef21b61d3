/**
 * What a booking reads before it writes, in one statement: an earlier booking with the same
 * Idempotency-Key, whether the patient is active, the practitioner's role, their working hours and
 * the clinic's time zone. Each is a separate look-up elsewhere; a booking is the API's hottest
 * write, and on the machines it runs on each round trip to PostgreSQL costs the API's one thread
 * more than the query itself (README, Performance), so here they are one.
 *
 * Raw SQL is not scoped by the tenant client: every table is filtered by the clinic explicitly.
 */
import { type RawQuerier } from './appointment-usage';

export interface BookingLookup {
  timezone: string;
  /** The appointment booked earlier with this Idempotency-Key in this clinic, if any. */
  earlierId: string | null;
  patientActive: boolean;
  /** The practitioner when they are an active staff member of this clinic. */
  practitioner: { role: string } | null;
  /** Their PractitionerSchedule columns (as `hoursOf` reads them), null when none are set. */
  schedule: { timezone: string | null; weekly: unknown; breaks: unknown; exceptions: unknown; timeOff: unknown } | null;
}

/** Null when the clinic does not exist. */
export async function readBookingLookup(
  db: RawQuerier,
  q: { clinicId: string; idempotencyKey: string; patientId: string; practitionerId: string },
): Promise<BookingLookup | null> {
  const [row] = await db.$queryRaw<BookingLookup[]>`
    SELECT c.timezone,
           (SELECT a.id FROM "Appointment" a WHERE a."clinicId" = c.id AND a."idempotencyKey" = ${q.idempotencyKey}) AS "earlierId",
           EXISTS (SELECT 1 FROM "Patient" p WHERE p.id = ${q.patientId}::uuid AND p."clinicId" = c.id AND p.active) AS "patientActive",
           (SELECT json_build_object('role', s.role) FROM "StaffUser" s WHERE s.id = ${q.practitionerId}::uuid AND s."clinicId" = c.id AND s.active) AS practitioner,
           (SELECT json_build_object('timezone', ps.timezone, 'weekly', ps.weekly, 'breaks', ps.breaks, 'exceptions', ps.exceptions, 'timeOff', ps."timeOff")
              FROM "PractitionerSchedule" ps WHERE ps."practitionerId" = ${q.practitionerId}::uuid AND ps."clinicId" = c.id) AS schedule
      FROM "Clinic" c
     WHERE c.id = ${q.clinicId}::uuid`;
  return row ?? null;
}
