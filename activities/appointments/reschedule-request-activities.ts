/**
 * What the reschedule request workflow does outside itself: read the request, move the appointment
 * through the appointment's own lifecycle workflow (so its reminders are re-planned and its rules
 * apply), record the decision, and write the notifications.
 */
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { ApplicationFailure } from '@temporalio/activity';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { appointmentUpdates } from '../../domain/appointment-workflow';
import { localDate, localTime } from '../../domain/dates';
import { RESCHEDULE_ERRORS, type RescheduleRequestStatus } from '../../domain/reschedule-requests';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { type Prisma } from '../../prisma/generated/client';
import { stableMessageId } from '../messaging/message-ids';

export type RescheduleMessageKind = 'requested' | 'approved' | 'rejected' | 'expired';

export function createRescheduleRequestActivities({ prisma, temporal }: { prisma: PrismaClient; temporal: Client }) {
  const load = (clinicId: string, requestId: string) =>
    prisma.rescheduleRequest.findFirst({ where: { id: requestId, clinicId }, include: { appointment: { include: { clinic: true } }, therapist: true } });

  return {
    /** The request's status and the appointment's start (for the expiry), ids and times only. */
    async loadRescheduleRequest({ clinicId, requestId }: { clinicId: string; requestId: string }): Promise<{ status: RescheduleRequestStatus; appointmentId: string; appointmentStartsAt: number }> {
      const request = await load(clinicId, requestId);
      // The API starts the workflow inside the transaction that inserts the row: wait for the commit.
      if (!request) throw ApplicationFailure.retryable('The request is not (yet) in the database', RESCHEDULE_ERRORS.notFound);
      return { status: request.status, appointmentId: request.appointmentId, appointmentStartsAt: request.appointment.startsAt.getTime() };
    },

    /**
     * Moves the appointment to the requested time through its lifecycle workflow. The update id is
     * the request's, so a retried activity gets the first answer instead of moving twice. The
     * appointment's refusals (SLOT_TAKEN, NOT_BOOKABLE, INVALID_TRANSITION) come back with their type.
     */
    async moveAppointmentForRequest({ clinicId, requestId }: { clinicId: string; requestId: string }): Promise<void> {
      const request = await load(clinicId, requestId);
      if (!request) throw ApplicationFailure.nonRetryable('No such request', RESCHEDULE_ERRORS.notFound);
      const handle = temporal.workflow.getHandle(request.appointment.workflowId);
      try {
        await handle.executeUpdate(appointmentUpdates.reschedule, { args: [{ startsAt: request.requestedStartsAt.toISOString() }], updateId: `reschedule-request/${requestId}` });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type);
        }
        throw err;
      }
    },

    /** Records the decision on a request that is still pending; a repeat of the same decision is a no-op. */
    async decideRescheduleRequest(input: { clinicId: string; requestId: string; status: Exclude<RescheduleRequestStatus, 'PENDING'>; byId?: string; notes?: string; at: number }): Promise<void> {
      const { clinicId, requestId, status } = input;
      const { count } = await prisma.rescheduleRequest.updateMany({
        where: { id: requestId, clinicId, status: 'PENDING' },
        data: { status, decidedById: input.byId ?? null, decisionNotes: input.notes ?? null, decidedAt: new Date(input.at) },
      });
      if (count === 0) {
        const request = await prisma.rescheduleRequest.findFirst({ where: { id: requestId, clinicId }, select: { status: true } });
        if (request?.status !== status) throw ApplicationFailure.nonRetryable(`The request is ${request?.status ?? 'gone'}`, RESCHEDULE_ERRORS.notPending);
      }
    },

    /** Admins and managers hear of a new request; the therapist hears of its outcome. Email, staff addresses only. */
    async createRescheduleMessages({ clinicId, requestId, kind }: { clinicId: string; requestId: string; kind: RescheduleMessageKind }): Promise<string[]> {
      const request = await load(clinicId, requestId);
      if (!request) return [];
      const tz = request.appointment.clinic.timezone;
      const variables = {
        reservationId: request.appointment.reservationId,
        therapistName: `${request.therapist.firstName} ${request.therapist.lastName}`,
        date: localDate(request.appointment.startsAt, tz),
        time: localTime(request.appointment.startsAt, tz),
        newDate: localDate(request.requestedStartsAt, tz),
        newTime: localTime(request.requestedStartsAt, tz),
        decision: kind,
      };
      const recipients =
        kind === 'requested'
          ? (await prisma.staffUser.findMany({ where: { clinicId, active: true, role: { in: ['CLINIC_ADMIN', 'MANAGER'] } }, select: { email: true } })).map((s) => s.email)
          : [request.therapist.email];
      const rows: Prisma.MessageCreateManyInput[] = recipients.map((email) => {
        const id = stableMessageId(requestId, kind, email);
        return {
          id,
          clinicId,
          category: 'reschedule-request',
          channels: ['email'],
          recipient: { email },
          templateKey: kind === 'requested' ? 'reschedule-requested' : 'reschedule-decided',
          variables,
          metadata: { rescheduleRequestId: requestId, event: kind },
          workflowId: workflowIds.messageDelivery(clinicId, id),
        };
      });
      await prisma.message.createMany({ data: rows.map((r) => ({ expiresAt: defaultMessageDeadline(), ...r })), skipDuplicates: true });
      return rows.map((r) => r.id!);
    },
  };
}
