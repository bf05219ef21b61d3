/**
 * The practitioner's day: their schedule (the day and its week, with statuses), the patients they
 * treat (flagged when a session awaits its signed report) and their pending actions (sessions to
 * document, their open reschedule requests, sessions in the next 24 hours). Always the caller's own.
 */
import { addDays, isIsoDate, localDate, weekdayOfDate, zonedTimeToUtc } from '../../domain/dates';
import { documentationDueAt } from '../../domain/documentation';
import { documentationSettingsOf } from '../../domain/documentation-settings';
import { text } from '../../domain/text';
import { type Appointment } from '../../prisma/generated/client';
import { AWAITING_DOCUMENTATION } from '../../prisma/session-documentation';
import { type ApiDeps } from '../deps';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { listQuery, page } from '../schemas/common';
import { auditRead } from '../services/audit';

const session = z
  .object({
    id: z.uuid(),
    reservationId: text(),
    patient: z.object({ id: z.uuid(), firstName: text(), lastName: text() }),
    therapyTypeId: z.uuid().nullable(),
    status: text(),
    startsAt: text(),
    endsAt: text(),
  })
  .openapi('MySession');

type WithPatient = Appointment & { patient: { id: string; firstName: string; lastName: string } };
const presentSession = (a: WithPatient) => ({
  id: a.id,
  reservationId: a.reservationId,
  patient: { id: a.patient.id, firstName: a.patient.firstName, lastName: a.patient.lastName },
  therapyTypeId: a.therapyTypeId,
  status: a.status,
  startsAt: a.startsAt.toISOString(),
  endsAt: a.endsAt.toISOString(),
});
const withPatient = { patient: { select: { id: true, firstName: true, lastName: true } } } as const;

const scheduleResponse = z
  .object({ date: text(), timezone: text(), day: z.array(session), week: z.object({ from: text(), to: text(), days: z.array(z.object({ date: text(), sessions: z.array(session) })) }) })
  .openapi('MySchedule');

const myPatient = z.object({ id: z.uuid(), firstName: text(), lastName: text(), reportDue: z.boolean() }).openapi('MyPatient');

const pendingResponse = z
  .object({
    reportsToSign: z.array(session.extend({ completedAt: text().nullable(), dueAt: text(), overdue: z.boolean(), draftReportId: z.uuid().nullable() })),
    rescheduleRequests: z.array(z.object({ id: z.uuid(), appointmentId: z.uuid(), requestedStartsAt: text(), createdAt: text() })),
    next24Hours: z.array(session),
  })
  .openapi('MyPending');

export function meRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const now = () => deps.now?.() ?? new Date();
  return r
    .route({
      method: 'get',
      path: '/schedule',
      summary: 'My sessions on a day (default today, clinic time) and in its week (Monday to Sunday), with their statuses',
      access: 'practitioner-day:read',
      tenant: true,
      query: z.object({ date: text().refine(isIsoDate, { message: 'must be a date as YYYY-MM-DD' }).optional() }),
      responses: { 200: { description: 'The day and its week', schema: scheduleResponse } },
      handler: async ({ query }, req, res) => {
        const { db } = req.tenant!;
        const { timezone } = await db.clinic.findFirstOrThrow({ select: { timezone: true } });
        const date = query.date ?? localDate(now(), timezone);
        const monday = addDays(date, -((weekdayOfDate(date) + 6) % 7));
        const from = zonedTimeToUtc(monday, '00:00', timezone);
        const to = zonedTimeToUtc(addDays(monday, 7), '00:00', timezone);
        const rows = await db.appointment.findMany({ where: { practitionerId: req.auth!.userId, startsAt: { gte: from, lt: to } }, include: withPatient, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] });
        const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i)).map((d) => ({ date: d, sessions: rows.filter((a) => localDate(a.startsAt, timezone) === d).map(presentSession) }));
        await auditRead(db, req, 'practitioner.schedule.read', rows.map((a) => a.patientId));
        res.json({ date, timezone, day: days.find((d) => d.date === date)!.sessions, week: { from: monday, to: addDays(monday, 6), days } });
      },
    })
    .route({
      method: 'get',
      path: '/patients',
      summary: 'The patients I treat (any session with me that was not cancelled), flagged when a session awaits its signed report',
      access: 'practitioner-day:read',
      tenant: true,
      query: listQuery,
      responses: { 200: { description: 'A page of my patients, by id', schema: page(myPatient) } },
      handler: async ({ query }, req, res) => {
        const { db } = req.tenant!;
        const practitionerId = req.auth!.userId;
        const rows = await db.patient.findMany({
          where: { appointments: { some: { practitionerId, status: { not: 'CANCELLED' } } } },
          select: { id: true, firstName: true, lastName: true, appointments: { where: { practitionerId, ...AWAITING_DOCUMENTATION }, select: { id: true }, take: 1 } },
          orderBy: { id: 'asc' },
          ...pageArgs(query.limit, query.cursor),
        });
        const result = toPage(rows, query.limit, (p) => ({ id: p.id, firstName: p.firstName, lastName: p.lastName, reportDue: p.appointments.length > 0 }));
        await auditRead(db, req, 'practitioner.patients.list', result.data.map((p) => p.id));
        res.json(result);
      },
    })
    .route({
      method: 'get',
      path: '/pending',
      summary: 'My pending actions: completed sessions awaiting a signed report (with their deadline), my open reschedule requests, my sessions in the next 24 hours',
      access: 'practitioner-day:read',
      tenant: true,
      responses: { 200: { description: 'What needs me', schema: pendingResponse } },
      handler: async (_input, req, res) => {
        const { db } = req.tenant!;
        const practitionerId = req.auth!.userId;
        const at = now();
        const clinic = await db.clinic.findFirstOrThrow({ select: { settings: true } });
        const settings = documentationSettingsOf(clinic.settings);
        const [toDocument, requests, upcoming] = await Promise.all([
          db.appointment.findMany({
            where: { practitionerId, ...AWAITING_DOCUMENTATION },
            include: { ...withPatient, progressReports: { where: { practitionerId, status: 'DRAFT' }, select: { id: true }, orderBy: { id: 'desc' }, take: 1 } },
            orderBy: [{ completedAt: 'asc' }, { id: 'asc' }],
            take: 100,
          }),
          db.rescheduleRequest.findMany({ where: { therapistId: practitionerId, status: 'PENDING' }, orderBy: { createdAt: 'asc' }, take: 100 }),
          db.appointment.findMany({
            where: { practitionerId, startsAt: { gte: at, lt: new Date(at.getTime() + 24 * 3_600_000) }, status: { in: ['SCHEDULED', 'CONFIRMED', 'CHECKED_IN', 'IN_PROGRESS'] } },
            include: withPatient,
            orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
          }),
        ]);
        await auditRead(db, req, 'practitioner.pending.read', [...toDocument, ...upcoming].map((a) => a.patientId));
        res.json({
          reportsToSign: toDocument.map((a) => {
            const dueAt = documentationDueAt(a.completedAt ?? a.endsAt, settings);
            return { ...presentSession(a), completedAt: a.completedAt?.toISOString() ?? null, dueAt: dueAt.toISOString(), overdue: dueAt <= at, draftReportId: a.progressReports[0]?.id ?? null };
          }),
          rescheduleRequests: requests.map((q) => ({ id: q.id, appointmentId: q.appointmentId, requestedStartsAt: q.requestedStartsAt.toISOString(), createdAt: q.createdAt.toISOString() })),
          next24Hours: upcoming.map(presentSession),
        });
      },
    });
}
