/**
 * Read-only views for booking: a practitioner's free slots and the clinic's calendar. Mounted at
 * /appointments before the appointments router, whose /:id would otherwise take these paths.
 */
import { freeSlots } from '../../domain/availability';
import { addDays, isIsoDate, localDate, localDateTime, localTime, zonedTimeToUtc } from '../../domain/dates';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { availabilityQuery, availabilityResponse, calendarQuery, calendarResponse } from '../schemas/appointment-calendar';
import { clinicTimezone, loadHours, requirePractitioner } from '../services/practitioners';
import { sessionTerms } from '../services/session-terms';

const MAX_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MINUTES = 60;

const rangeError = (message: string) => ApiError.badRequest('VALIDATION_ERROR', 'Invalid request query', [{ path: 'query.to', message }]);

/** Dates are whole local days (`to` included); the limit is 14 calendar days, so a DST change does not shorten it. */
function resolveRange(q: { from: string; to: string }, timeZone: string): { from: Date; to: Date } {
  const from = isIsoDate(q.from) ? zonedTimeToUtc(q.from, '00:00', timeZone) : new Date(q.from);
  const to = isIsoDate(q.to) ? zonedTimeToUtc(addDays(q.to, 1), '00:00', timeZone) : new Date(q.to);
  if (to <= from) throw rangeError('must be after from');
  const limit = zonedTimeToUtc(addDays(localDate(from, timeZone), MAX_DAYS), localTime(from, timeZone), timeZone).getTime() + (from.getTime() % 60_000);
  if (to.getTime() > limit) throw rangeError(`must be at most ${MAX_DAYS} days after from`);
  return { from, to };
}

const stamps = (a: { startsAt: Date; endsAt: Date }, timeZone: string) => ({
  startsAt: a.startsAt.toISOString(),
  endsAt: a.endsAt.toISOString(),
  localStart: localDateTime(a.startsAt, timeZone),
  localEnd: localDateTime(a.endsAt, timeZone),
});

export function appointmentCalendarRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const now = deps.now ?? (() => new Date());
  return r
    .route({
      method: 'get',
      path: '/availability',
      summary: "A practitioner's bookable slots (working hours minus breaks, time off and booked sessions), at most 14 days",
      access: 'schedule:read',
      tenant: true,
      query: availabilityQuery,
      responses: { 200: { description: 'Free slots, earliest first', schema: availabilityResponse } },
      handler: async ({ query }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        // A practitioner reads their own free slots only: a colleague's gaps would show when their patients come.
        await requirePractitioner(db, query.practitionerId, ownership.practitioner);
        const { hours, timezone } = await loadHours(db, clinicId, query.practitionerId);
        const { from, to } = resolveRange(query, timezone);
        const terms =
          query.therapyTypeId || query.durationMinutes
            ? await sessionTerms(db, query)
            : { durationMinutes: DEFAULT_MINUTES, price: null, currency: null };
        // From a day before `from`: a session that began earlier still decides where the next free stretch starts.
        const booked = hours
          ? await db.appointment.findMany({
              where: { practitionerId: query.practitionerId, status: { not: 'CANCELLED' }, startsAt: { lt: to }, endsAt: { gt: new Date(from.getTime() - DAY_MS) } },
              select: { startsAt: true, endsAt: true },
            })
          : [];
        const slots = hours ? freeSlots(hours, { from, to, durationMinutes: terms.durationMinutes, booked, now: now() }) : [];
        res.json({ practitionerId: query.practitionerId, timezone, ...terms, slots: slots.map((s) => stamps(s, timezone)) });
      },
    })
    .route({
      method: 'get',
      path: '/calendar',
      summary: 'Appointments that are not cancelled in a range of at most 14 days (ids and times only: no patient details)',
      access: 'appointment:read',
      tenant: true,
      query: calendarQuery,
      responses: { 200: { description: 'Appointments by start time', schema: calendarResponse } },
      handler: async ({ query }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        const clinicZone = await clinicTimezone(db, clinicId);
        let timezone = clinicZone;
        if (query.practitionerId) {
          // Past practitioners and other roles keep their history: any staff member of the clinic will do.
          if (!(await db.staffUser.findUnique({ where: { id: query.practitionerId, AND: [ownership.practitioner] }, select: { id: true } }))) throw ApiError.notFound('Staff member');
          timezone = (await loadHours(db, clinicId, query.practitionerId)).timezone;
        }
        const { from, to } = resolveRange(query, timezone);
        const rows = await db.appointment.findMany({
          where: { status: { not: 'CANCELLED' }, startsAt: { lt: to }, endsAt: { gt: from }, ...(query.practitionerId ? { practitionerId: query.practitionerId } : {}), AND: [ownership.appointment] },
          select: { id: true, reservationId: true, patientId: true, practitionerId: true, therapyTypeId: true, type: true, status: true, startsAt: true, endsAt: true },
          orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        });
        const zones = new Map(
          (await db.practitionerSchedule.findMany({ where: { practitionerId: { in: [...new Set(rows.map((a) => a.practitionerId))] } }, select: { practitionerId: true, timezone: true } })).map(
            (s) => [s.practitionerId, s.timezone ?? clinicZone],
          ),
        );
        const appointments = rows.map((a) => {
          const zone = zones.get(a.practitionerId) ?? clinicZone;
          return { ...a, ...stamps(a, zone), timezone: zone };
        });
        res.json({ from: from.toISOString(), to: to.toISOString(), timezone, appointments });
      },
    });
}
