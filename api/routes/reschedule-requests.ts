/**
 * Reschedule requests: a therapist asks to move one of their own sessions; an admin approves or
 * rejects it; each request is the workflow reschedule/<clinicId>/<id>, which also lets it expire.
 */
import { randomUUID } from 'node:crypto';
import { type Request } from 'express';
import { RESCHEDULE_NOTICE_HOURS, RESCHEDULE_NOTICE_MS, rescheduleRequestUpdates } from '../../domain/reschedule-requests';
import { rescheduleRequestStart, workflowIds } from '../../domain/temporal';
import { type RescheduleRequest } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { presentRescheduleRequest } from '../presenters';
import { idParams, page } from '../schemas/common';
import { approveBody, createRescheduleRequestBody, rejectBody, rescheduleRequestListQuery, rescheduleRequestResponse } from '../schemas/reschedule-requests';
import { ensureAppointmentWorkflow } from '../services/appointment-workflow-starts';
import { writeAudit } from '../services/audit';
import { assertBookable } from '../services/booking';
import { loadHours } from '../services/practitioners';
import { startWorkflow } from '../services/start-workflow';
import { steer } from '../services/workflow-updates';

const pendingExists = () => ApiError.conflict('REQUEST_PENDING', 'This appointment already has an open reschedule request');

export function rescheduleRequestRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const now = () => deps.now?.() ?? new Date();

  async function findOwn(req: Request, id: string): Promise<RescheduleRequest> {
    const { db, ownership } = req.tenant!;
    const request = await db.rescheduleRequest.findUnique({ where: { id, AND: [ownership.rescheduleRequest] } });
    if (!request) throw ApiError.notFound('Reschedule request');
    return request;
  }

  /** A decided request's workflow has ended: say so without asking it. */
  async function findPending(req: Request, id: string): Promise<RescheduleRequest> {
    const request = await findOwn(req, id);
    if (request.status !== 'PENDING') throw ApiError.conflict('NOT_PENDING', `The request is ${request.status}`);
    return request;
  }

  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Ask to move one of your own sessions (at least 48 hours ahead)',
      description: 'Starts the workflow reschedule/<clinicId>/<id>, which tells the clinic\'s admins and managers and waits for their decision; undecided, it expires when the session is 48 hours away.',
      access: 'reschedule:request',
      tenant: true,
      body: createRescheduleRequestBody,
      responses: {
        201: { description: 'The open request', schema: rescheduleRequestResponse },
        403: { description: 'Not your session' },
        404: { description: 'No such appointment in this clinic' },
        409: { description: 'The appointment cannot move (its state) or already has an open request' },
        422: { description: 'TOO_LATE (the session is less than 48 hours away), or the new time is in the past or outside working hours' },
      },
      handler: async ({ body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        const appointment = await db.appointment.findUnique({ where: { id: body.appointmentId, AND: [ownership.appointment] } });
        if (!appointment) throw ApiError.notFound('Appointment');
        // A practitioner only finds their own sessions; this is for platform staff, who find every one.
        if (appointment.practitionerId !== req.auth!.userId) throw ApiError.forbidden('NOT_YOUR_SESSION', 'Only the session\'s own practitioner may ask to move it');
        if (appointment.status !== 'SCHEDULED' && appointment.status !== 'CONFIRMED') throw ApiError.conflict('INVALID_TRANSITION', `An appointment that is ${appointment.status} cannot be moved`);
        if (appointment.startsAt.getTime() - now().getTime() < RESCHEDULE_NOTICE_MS) {
          throw ApiError.unprocessable('TOO_LATE', `Sessions can be moved by request up to ${RESCHEDULE_NOTICE_HOURS} hours before they start`);
        }
        const requestedStartsAt = new Date(body.requestedStartsAt);
        const { hours } = await loadHours(db, clinicId, appointment.practitionerId);
        assertBookable(hours, { startsAt: requestedStartsAt, endsAt: new Date(requestedStartsAt.getTime() + (appointment.endsAt.getTime() - appointment.startsAt.getTime())) }, now());
        // Its approval moves the appointment through the appointment's workflow: make sure it runs.
        await ensureAppointmentWorkflow(deps, appointment);

        const id = randomUUID();
        try {
          const created = await db.$transaction(async (tx) => {
            const row = await tx.rescheduleRequest.create({
              data: { id, clinicId, appointmentId: appointment.id, therapistId: req.auth!.userId, requestedStartsAt, reason: body.reason, workflowId: workflowIds.rescheduleRequest(clinicId, id) },
            });
            await writeAudit(tx, req, { action: 'reschedule-request.create', entityType: 'RescheduleRequest', entityId: id, clinicId, after: { ...row, reason: '[redacted]' } });
            // Last, as in booking: a failed start rolls the request back.
            await startWorkflow(deps, 'rescheduleRequestWorkflow', rescheduleRequestStart(clinicId, row), 'The request could not be made right now; try again later');
            return row;
          });
          res.status(201).json(presentRescheduleRequest(created));
        } catch (err) {
          if (isUniqueViolation(err)) throw pendingExists();
          throw err;
        }
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: 'List reschedule requests',
      access: 'appointment:read',
      tenant: true,
      query: rescheduleRequestListQuery,
      responses: { 200: { description: 'A page of requests, oldest first', schema: page(rescheduleRequestResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, ownership } = req.tenant!;
        const rows = await db.rescheduleRequest.findMany({
          where: { ...(query.status ? { status: query.status } : {}), ...(query.therapistId ? { therapistId: query.therapistId } : {}), AND: [ownership.rescheduleRequest] },
          orderBy: [{ id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentRescheduleRequest));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a reschedule request',
      access: 'appointment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The request', schema: rescheduleRequestResponse }, 404: { description: 'No such request in this clinic' } },
      handler: async ({ params }, req, res) => {
        res.json(presentRescheduleRequest(await findOwn(req, params.id)));
      },
    })
    .route({
      method: 'put',
      path: '/:id/approve',
      summary: 'Approve: the appointment moves to the requested time (409 if that time has been taken; the request then stays open)',
      access: 'reschedule:decide',
      tenant: true,
      params: idParams,
      body: approveBody,
      responses: { 200: { description: 'The approved request', schema: rescheduleRequestResponse }, 404: { description: 'No such request' }, 409: { description: 'SLOT_TAKEN, or NOT_PENDING' }, 422: { description: 'NOT_BOOKABLE' } },
      handler: async ({ params, body }, req, res) => {
        const request = await findPending(req, params.id);
        await steer(deps, request.workflowId, rescheduleRequestUpdates.approve, [{ byId: req.auth!.userId, notes: body.notes }], request.status);
        res.json(presentRescheduleRequest(await findOwn(req, params.id)));
      },
    })
    .route({
      method: 'put',
      path: '/:id/reject',
      summary: 'Reject: the therapist is told, the appointment stays',
      access: 'reschedule:decide',
      tenant: true,
      params: idParams,
      body: rejectBody,
      responses: { 200: { description: 'The rejected request', schema: rescheduleRequestResponse }, 404: { description: 'No such request' }, 409: { description: 'NOT_PENDING' } },
      handler: async ({ params, body }, req, res) => {
        const request = await findPending(req, params.id);
        await steer(deps, request.workflowId, rescheduleRequestUpdates.reject, [{ byId: req.auth!.userId, notes: body.notes }], request.status);
        res.json(presentRescheduleRequest(await findOwn(req, params.id)));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Withdraw your own open request',
      access: 'reschedule:request',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The withdrawn request', schema: rescheduleRequestResponse }, 403: { description: 'Not your request' }, 404: { description: 'No such request' }, 409: { description: 'NOT_PENDING' } },
      handler: async ({ params }, req, res) => {
        const request = await findPending(req, params.id);
        if (request.therapistId !== req.auth!.userId) throw ApiError.forbidden('NOT_YOUR_REQUEST', 'Only the therapist who made the request may withdraw it');
        await steer(deps, request.workflowId, rescheduleRequestUpdates.withdraw, [{ byId: req.auth!.userId }], request.status);
        res.json(presentRescheduleRequest(await findOwn(req, params.id)));
      },
    });
}
