/**
 * Appointments: booking (one durable workflow per appointment from then on), the clinic's list,
 * one appointment with its workflow's live state, and the staff actions that steer the workflow.
 * The free-slot and calendar views live in ./appointment-calendar.ts.
 */
import { type UpdateDefinition } from '@temporalio/common';
import { type Request } from 'express';
import { appointmentStateQuery, appointmentUpdates, type AppointmentView, type AppointmentWorkflowState } from '../../domain/appointment-workflow';
import { addDays, localDate, zonedTimeToUtc } from '../../domain/dates';
import { type Permission } from '../../domain/permissions';
import { type Appointment } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { requireIdempotencyKey } from '../http/idempotency-key';
import { encodeStartCursor, startOrderPageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { presentAppointment } from '../presenters';
import {
  appointmentDetailResponse,
  appointmentListQuery,
  appointmentResponse,
  bookAppointmentBody,
  cancelBody,
  checkInByBarcodeBody,
  completeBody,
  rescheduleBody,
} from '../schemas/appointments';
import { idParams, page } from '../schemas/common';
import { ensureAppointmentWorkflow } from '../services/appointment-workflow-starts';
import { auditRead } from '../services/audit';
import { steer } from '../services/workflow-updates';
import { assertBookable, bookAppointment } from '../services/booking';
import { loadHours } from '../services/practitioners';

/** How long GET /:id waits for the workflow's state before answering without it. */
const QUERY_TIMEOUT_MS = 3_000;

const refused = {
  404: { description: 'No such appointment in this clinic' },
  409: { description: 'The action does not fit the appointment\'s state (INVALID_TRANSITION) or the time is taken (SLOT_TAKEN)' },
};

export function appointmentRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const now = () => deps.now?.() ?? new Date();

  async function findOwn(req: Request, id: string): Promise<Appointment> {
    const { db, ownership } = req.tenant!;
    const appointment = await db.appointment.findUnique({ where: { id, AND: [ownership.appointment] } });
    if (!appointment) throw ApiError.notFound('Appointment');
    return appointment;
  }

  /** POST /:id/<action>: the update, then the row as the workflow left it. */
  function action<Args extends unknown[]>(spec: {
    path: string;
    summary: string;
    access: Permission;
    update: UpdateDefinition<AppointmentView, Args>;
    body?: z.ZodType;
    args: (body: unknown) => Args;
    check?: (appointment: Appointment, body: unknown, req: Request) => Promise<void>;
  }) {
    r.route({
      method: 'post',
      path: `/:id/${spec.path}`,
      summary: spec.summary,
      access: spec.access,
      tenant: true,
      params: idParams,
      ...(spec.body ? { body: spec.body } : {}),
      responses: { 200: { description: 'The appointment after the action', schema: appointmentResponse }, ...refused },
      handler: async ({ params, body }, req, res) => {
        const appointment = await findOwn(req, params.id);
        await spec.check?.(appointment, body, req);
        await ensureAppointmentWorkflow(deps, appointment);
        await steer(deps, appointment.workflowId, spec.update, spec.args(body), appointment.status);
        res.json(presentAppointment(await findOwn(req, params.id)));
      },
    });
  }

  r.route({
    method: 'post',
    path: '/',
    summary: 'Book an appointment',
    description:
      'Requires an Idempotency-Key header: the same key again answers with the same appointment. The database refuses overlapping appointments of a practitioner or a patient (409 SLOT_TAKEN). Starts the lifecycle workflow appointment/<clinicId>/<id>.',
    access: 'appointment:book',
    tenant: true,
    body: bookAppointmentBody,
    responses: {
      201: { description: 'Booked (or booked earlier with the same Idempotency-Key)', schema: appointmentResponse },
      402: { description: "The licence's monthly appointment limit is reached" },
      404: { description: 'No such patient, practitioner or therapy type in this clinic' },
      409: { description: 'SLOT_TAKEN' },
      422: { description: 'In the past or outside the practitioner\'s working hours (the code says which)' },
    },
    handler: async ({ body }, req, res) => {
      const { appointment, replayed } = await bookAppointment(deps, req, body, requireIdempotencyKey(req));
      if (replayed) res.set('Idempotent-Replayed', 'true');
      res.status(201).json(presentAppointment(appointment));
    },
  })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's appointments",
      access: 'appointment:read',
      tenant: true,
      query: appointmentListQuery,
      responses: { 200: { description: 'A page of appointments by start time (then id); nextCursor continues after the last one', schema: page(appointmentResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, ownership } = req.tenant!;
        const { orderBy, take, after } = startOrderPageArgs(query.limit, query.cursor);
        const rows = await db.appointment.findMany({
          where: {
            ...(query.practitionerId ? { practitionerId: query.practitionerId } : {}),
            ...(query.patientId ? { patientId: query.patientId } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.from || query.to ? { startsAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
            AND: [ownership.appointment, ...(after ? [after] : [])],
          },
          orderBy,
          take,
        });
        const page = toPage(rows, query.limit, presentAppointment, encodeStartCursor);
        await auditRead(db, req, 'appointment.list', page.data.map((a) => a.patientId));
        res.json(page);
      },
    })
    .route({
      method: 'post',
      path: '/check-in-by-barcode',
      summary: "Check in today's appointment of the patient whose card was scanned",
      access: 'appointment:manage',
      tenant: true,
      body: checkInByBarcodeBody,
      responses: { 200: { description: 'The checked-in appointment', schema: appointmentResponse }, 404: { description: 'No patient with this barcode, or no appointment of theirs today' }, 409: refused[409] },
      handler: async ({ body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        const patient = await db.patient.findFirst({ where: { barcode: body.barcode, AND: [ownership.patient] }, select: { id: true } });
        const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { timezone: true } });
        const today = localDate(now(), clinic.timezone);
        const appointment =
          patient &&
          (await db.appointment.findFirst({
            where: {
              patientId: patient.id,
              status: { in: ['SCHEDULED', 'CONFIRMED'] },
              startsAt: { gte: zonedTimeToUtc(today, '00:00', clinic.timezone), lt: zonedTimeToUtc(addDays(today, 1), '00:00', clinic.timezone) },
              AND: [ownership.appointment],
            },
            orderBy: { startsAt: 'asc' },
          }));
        // One answer for an unknown card and a card without an appointment today.
        if (!appointment) throw ApiError.notFound('Appointment today for this card');
        await ensureAppointmentWorkflow(deps, appointment);
        await steer(deps, appointment.workflowId, appointmentUpdates.checkIn, [], appointment.status);
        res.json(presentAppointment(await findOwn(req, appointment.id)));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read an appointment, with its workflow\'s current state and upcoming reminders',
      access: 'appointment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The appointment', schema: appointmentDetailResponse }, 404: refused[404] },
      handler: async ({ params }, req, res) => {
        const appointment = await findOwn(req, params.id);
        const handle = deps.temporal.client.workflow.getHandle(appointment.workflowId);
        // A finished workflow is queried by replaying it on a worker: do not let a busy one hold the answer.
        const workflow = await deps.temporal.connection
          .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(appointmentStateQuery))
          .then((s: AppointmentWorkflowState) => ({ status: s.status, upcomingReminders: s.upcomingReminders, remindersSent: s.remindersSent, noShowCheckAt: s.noShowCheckAt, followUpReminderAt: s.followUpReminderAt }))
          .catch(() => null);
        await auditRead(req.tenant!.db, req, 'appointment.read', [appointment.patientId]);
        res.json({ ...presentAppointment(appointment), workflow });
      },
    });

  action({ path: 'confirm', summary: 'Confirm an appointment', access: 'appointment:manage', update: appointmentUpdates.confirm, args: (): [] => [] });
  action({
    path: 'cancel',
    summary: 'Cancel an appointment: the patient is told and no reminder follows',
    access: 'appointment:book',
    update: appointmentUpdates.cancel,
    body: cancelBody,
    args: (b): [z.output<typeof cancelBody>] => [b as z.output<typeof cancelBody>],
  });
  action({
    path: 'reschedule',
    summary: 'Move an appointment to another time (same length): reminders are planned again',
    access: 'appointment:book',
    update: appointmentUpdates.reschedule,
    body: rescheduleBody,
    args: (b): [{ startsAt: string }] => [{ startsAt: new Date((b as z.output<typeof rescheduleBody>).startsAt).toISOString() }],
    check: async (appointment, b, req) => {
      const startsAt = new Date((b as z.output<typeof rescheduleBody>).startsAt);
      const { hours } = await loadHours(req.tenant!.db, appointment.clinicId, appointment.practitionerId);
      assertBookable(hours, { startsAt, endsAt: new Date(startsAt.getTime() + (appointment.endsAt.getTime() - appointment.startsAt.getTime())) }, now());
    },
  });
  action({ path: 'check-in', summary: 'Check the patient in', access: 'appointment:manage', update: appointmentUpdates.checkIn, args: (): [] => [] });
  action({ path: 'start', summary: 'Start the session', access: 'appointment:manage', update: appointmentUpdates.start, args: (): [] => [] });
  action({
    path: 'complete',
    summary: 'Complete the session; a follow-up date makes the workflow remind the patient to book it',
    access: 'appointment:manage',
    update: appointmentUpdates.complete,
    body: completeBody,
    args: (b): [z.output<typeof completeBody>] => [b as z.output<typeof completeBody>],
  });
  action({ path: 'no-show', summary: 'Record that the patient did not come', access: 'appointment:manage', update: appointmentUpdates.noShow, args: (): [] => [] });
  return r;
}
