/**
 * Booking an appointment: checks, the row, then the start of its lifecycle workflow.
 *
 * One short transaction inserts the row (the exclusion constraints refuse a taken slot; the
 * clinic's month counts it as it commits, checked against the licence there) and its audit
 * entry; nothing in it waits on Temporal, and no clinic-wide lock exists, so bookings of one
 * clinic run side by side. The booking is answered once committed; its workflow is started
 * right after, in the background (appointment-workflow-starts.ts), and the row marked
 * (workflowStartedAt). If Temporal cannot take the start, the start reconciler
 * (workflows/reconciler) starts it within a minute or two, and an action on the appointment
 * starts it first. Either way the appointment is never lost and its workflow never started twice.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Request } from 'express';
import { reservationIdFrom } from '../../domain/appointments';
import { freeSlots, whyNotBookable } from '../../domain/availability';
import { addDays, localDate, zonedTimeToUtc } from '../../domain/dates';
import { workflowIds } from '../../domain/temporal';
import { isExclusionViolation, isMonthLimitRefusal } from '../../prisma/errors';
import { readBookingLookup } from '../../prisma/booking-lookup';
import { recordPackageSessionUse, takePackageSession } from '../../prisma/package-accounts';
import { type Appointment } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { recordBooking } from '../observability/booking-metrics';
import { ApiError } from '../http/api-error';
import { replayable, requestFingerprint } from '../http/idempotency-key';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type z } from '../openapi/zod';
import { type bookAppointmentBody } from '../schemas/appointments';
import { writeAudit } from './audit';
import { startAppointmentWorkflowSoon } from './appointment-workflow-starts';
import { checkMonthLimitAtCommit, monthLimitReached } from './license-enforcement';
import { assertPractises, hoursIn } from './practitioners';
import { sessionTerms } from './session-terms';

type BookingRequest = z.output<typeof bookAppointmentBody>;

const NOT_BOOKABLE_MESSAGES = {
  NO_WORKING_HOURS: 'The practitioner has no working hours set',
  OUTSIDE_WORKING_HOURS: "The time is outside the practitioner's working hours",
  ON_BREAK: "The time falls in the practitioner's break",
  TIME_OFF: 'The practitioner is off at that time',
} as const;

export const noPackageSession = () =>
  ApiError.unprocessable('NO_PACKAGE_SESSION', 'The patient has no active package or subscription with a session left that covers this therapy type at that time', [{ path: 'body.usePackage', message: 'no package session' }]);

export const slotTaken = () => ApiError.conflict('SLOT_TAKEN', 'The practitioner or the patient is already booked at that time');

/** 422 when the slot lies outside the practitioner's hours or in the past; shared with reschedules. */
export function assertBookable(hours: Parameters<typeof whyNotBookable>[0], slot: { startsAt: Date; endsAt: Date }, now: Date): void {
  if (slot.startsAt.getTime() <= now.getTime()) {
    throw ApiError.unprocessable('IN_THE_PAST', 'The appointment would start in the past', [{ path: 'body.startsAt', message: 'in the past' }]);
  }
  const why = whyNotBookable(hours, slot);
  if (why) throw ApiError.unprocessable(why, NOT_BOOKABLE_MESSAGES[why], [{ path: 'body.startsAt', message: NOT_BOOKABLE_MESSAGES[why] }]);
}

/** Books, counts the outcome (clinicflow_bookings_total) and logs the booked appointment's ids, never the patient's details. */
export async function bookAppointment(deps: ApiDeps, req: Request, body: BookingRequest, idempotencyKey: string): Promise<{ appointment: Appointment; replayed: boolean }> {
  try {
    const result = await book(deps, req, body, idempotencyKey);
    recordBooking(deps.metrics, result.replayed ? 'replayed' : 'booked');
    const { id, clinicId, workflowId } = result.appointment;
    req.log.info({ clinicId, appointmentId: id, workflowId, replayed: result.replayed }, 'appointment booked');
    return result;
  } catch (err) {
    recordBooking(deps.metrics, err instanceof ApiError && err.code === 'SLOT_TAKEN' ? 'slot_taken' : 'rejected');
    throw err;
  }
}

async function book(deps: ApiDeps, req: Request, body: BookingRequest, idempotencyKey: string): Promise<{ appointment: Appointment; replayed: boolean }> {
  const { db, clinicId } = req.tenant!;
  const now = deps.now?.() ?? new Date();
  const fingerprint = requestFingerprint(req);

  const lookup = await readBookingLookup(db, { clinicId, idempotencyKey, patientId: body.patientId, practitionerId: body.practitionerId });
  if (!lookup) throw ApiError.notFound('Clinic');
  if (lookup.earlierId) {
    const earlier = await db.appointment.findFirst({ where: { id: lookup.earlierId } });
    if (earlier) return { appointment: answered(deps, replayable(earlier, fingerprint)), replayed: true };
  }
  if (!lookup.patientActive) throw ApiError.notFound('Patient');
  assertPractises(lookup.practitioner);
  const terms = await sessionTerms(db, body);
  const { hours, timezone } = hoursIn(lookup.schedule, lookup.timezone);
  const lengthMs = terms.durationMinutes * 60_000;

  // SPECIFIC_TIME: exactly the time asked for. TIME_PERIOD: the first free slots from then to the end of that day, in order.
  const requested = new Date(body.startsAt);
  let candidates: Date[] = [requested];
  if (body.bookingMode === 'TIME_PERIOD') {
    if (!hours) throw ApiError.unprocessable('NO_WORKING_HOURS', NOT_BOOKABLE_MESSAGES.NO_WORKING_HOURS);
    const endOfDay = zonedTimeToUtc(addDays(localDate(requested, timezone), 1), '00:00', timezone);
    const booked = await db.appointment.findMany({
      where: { practitionerId: body.practitionerId, status: { not: 'CANCELLED' }, startsAt: { lt: endOfDay }, endsAt: { gt: requested } },
      select: { startsAt: true, endsAt: true },
    });
    candidates = freeSlots(hours, { from: requested, to: endOfDay, durationMinutes: terms.durationMinutes, booked, now }).map((s) => s.startsAt);
    if (candidates.length === 0) throw ApiError.conflict('SLOT_TAKEN', 'No free time is left in that period');
  }

  // Another booking may take a candidate between the look-up and the insert: try the next one.
  for (const [attempt, startsAt] of candidates.slice(0, 3).entries()) {
    const endsAt = new Date(startsAt.getTime() + lengthMs);
    assertBookable(hours, { startsAt, endsAt }, now);
    try {
      const appointment = await db.$transaction(async (tx) => {
        const id = randomUUID();
        // Seed 003's flow: a covered therapy type with a session left takes it (exact under concurrency), else priced as usual.
        const fromPackage =
          body.usePackage !== 'never' && body.therapyTypeId
            ? await takePackageSession(tx, { clinicId, patientId: body.patientId, therapyTypeId: body.therapyTypeId, startsAt, ...(body.patientPackageId ? { patientPackageId: body.patientPackageId } : {}) })
            : null;
        if (!fromPackage && body.usePackage === 'require') throw noPackageSession();
        const created = await tx.appointment.create({
          data: {
            id,
            clinicId,
            reservationId: reservationIdFrom(randomBytes(8)),
            patientId: body.patientId,
            practitionerId: body.practitionerId,
            therapyTypeId: body.therapyTypeId ?? null,
            type: body.type,
            bookingMode: body.bookingMode,
            startsAt,
            endsAt,
            reason: body.reason ?? null,
            price: fromPackage && terms.price !== null ? '0.00' : terms.price,
            currency: terms.currency,
            patientPackageId: fromPackage?.patientPackageId ?? null,
            idempotencyKey,
            idempotencyFingerprint: fingerprint,
            workflowId: workflowIds.appointment(clinicId, id),
            createdById: req.auth!.userId,
          },
        });
        if (fromPackage) await recordPackageSessionUse(tx, { clinicId, ...fromPackage, appointmentId: id });
        await checkMonthLimitAtCommit(tx);
        await writeAudit(tx, req, { action: 'appointment.book', entityType: 'Appointment', entityId: id, clinicId, after: { ...created, reason: created.reason ? '[redacted]' : null } });
        return created;
      });
      return { appointment: answered(deps, appointment), replayed: false };
    } catch (err) {
      if (isMonthLimitRefusal(err)) throw await monthLimitReached(db, clinicId, startsAt);
      if (isExclusionViolation(err)) {
        if (body.bookingMode === 'TIME_PERIOD' && attempt < Math.min(candidates.length, 3) - 1) continue;
        throw slotTaken();
      }
      // The same key sent twice at once: the other request booked it.
      if (isUniqueViolation(err)) {
        const winner = await db.appointment.findFirst({ where: { idempotencyKey } });
        if (winner) return { appointment: answered(deps, replayable(winner, fingerprint)), replayed: true };
      }
      throw err;
    }
  }
  throw slotTaken();
}

/** A committed booking, about to be answered: its workflow starts in the background unless it has started. */
function answered(deps: ApiDeps, appointment: Appointment): Appointment {
  startAppointmentWorkflowSoon(deps, appointment);
  return appointment;
}
