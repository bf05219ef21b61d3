/**
 * What the documentation deadline workflow reads and writes: when the session must be documented,
 * whether it is, and the notices (to the practitioner at half-time, to the clinic's managers and
 * admins when the time is up). Ids and times go back to the workflow; names stay in PostgreSQL.
 */
import { documentationDueAt, type DocumentationNotice } from '../../domain/documentation';
import { documentationSettingsOf } from '../../domain/documentation-settings';
import { localDate, localTime } from '../../domain/dates';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { DOCUMENTED } from '../../prisma/session-documentation';
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { stableMessageId } from '../messaging/message-ids';

export function createDocumentationActivities({ prisma }: { prisma: PrismaClient }) {
  const isDocumented = async (clinicId: string, appointmentId: string) =>
    (await prisma.appointment.count({ where: { id: appointmentId, clinicId, AND: [DOCUMENTED] } })) > 0;

  return {
    /** The deadline (epoch ms) and whether the session is documented already; null for no such completed session. */
    async loadDocumentationTask({ clinicId, appointmentId, at }: { clinicId: string; appointmentId: string; at: number }): Promise<{ dueAt: number; documented: boolean } | null> {
      const a = await prisma.appointment.findFirst({ where: { id: appointmentId, clinicId }, select: { status: true, completedAt: true, clinic: { select: { settings: true } } } });
      if (!a || a.status !== 'COMPLETED') return null;
      const dueAt = documentationDueAt(a.completedAt ?? new Date(at), documentationSettingsOf(a.clinic.settings)).getTime();
      return { dueAt, documented: await isDocumented(clinicId, appointmentId) };
    },

    /**
     * The notice's messages (none, and documented: true, when the session was signed meanwhile): the reminder to the
     * practitioner, the overdue notice to each active manager and clinic admin. Their ids derive
     * from the session and notice, so a retry writes nothing twice.
     */
    async createDocumentationMessages({ clinicId, appointmentId, notice }: { clinicId: string; appointmentId: string; notice: DocumentationNotice }): Promise<{ documented: boolean; messageIds: string[] }> {
      if (await isDocumented(clinicId, appointmentId)) return { documented: true, messageIds: [] };
      const a = await prisma.appointment.findFirst({ where: { id: appointmentId, clinicId }, include: { clinic: true, practitioner: true } });
      if (!a) return { documented: false, messageIds: [] };
      const recipients =
        notice === 'reminder'
          ? a.practitioner.active
            ? [a.practitioner.email]
            : []
          : (await prisma.staffUser.findMany({ where: { clinicId, active: true, role: { in: ['MANAGER', 'CLINIC_ADMIN'] } }, select: { email: true }, orderBy: { id: 'asc' } })).map((s) => s.email);
      const tz = a.clinic.timezone;
      const dueAt = documentationDueAt(a.completedAt ?? new Date(), documentationSettingsOf(a.clinic.settings));
      const variables = {
        practitionerName: `${a.practitioner.firstName} ${a.practitioner.lastName}`,
        reservationId: a.reservationId,
        date: localDate(a.startsAt, tz),
        time: localTime(a.startsAt, tz),
        dueDate: localDate(dueAt, tz),
        dueTime: localTime(dueAt, tz),
      };
      const rows = recipients.map((email) => {
        const id = stableMessageId(clinicId, 'documentation', appointmentId, notice, email);
        return {
          id,
          clinicId,
          category: 'documentation',
          channels: ['email' as const],
          recipient: { email },
          templateKey: notice === 'reminder' ? 'documentation-reminder' : 'documentation-overdue',
          variables,
          metadata: { appointmentId, notice },
          workflowId: workflowIds.messageDelivery(clinicId, id),
          expiresAt: defaultMessageDeadline(),
        };
      });
      await prisma.message.createMany({ data: rows, skipDuplicates: true });
      return { documented: false, messageIds: rows.map((r) => r.id) };
    },
  };
}
