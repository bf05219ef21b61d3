import { defaultMessageDeadline } from '../messaging/message-deadline';
import { type AlertToRaise } from '../../domain/licensing';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { stableMessageId } from '../messaging/message-ids';


const METRIC_NAMES = { STAFF: 'active staff', PATIENTS: 'active patients', APPOINTMENTS: 'appointments this month' } as const;

/**
 * One email message per raised alert for each active clinic admin, and one for the internal ops
 * address when configured. Returns the ids; the licensing workflow delivers each as a child.
 */
export function createLicenceAlertMessageActivities({ prisma, opsEmail }: { prisma: PrismaClient; opsEmail?: string }) {
  return {
    async createLicenceAlertMessages({ clinicId, date, raised }: { clinicId: string; date: string; raised: AlertToRaise[] }): Promise<string[]> {
      if (raised.length === 0) return [];
      const clinic = await prisma.clinic.findUnique({ where: { id: clinicId }, include: { licenseTier: true } });
      if (!clinic) return [];
      const admins = await prisma.staffUser.findMany({ where: { clinicId, role: 'CLINIC_ADMIN', active: true }, select: { email: true } });
      const recipients = [...admins.map((a) => a.email), ...(opsEmail ? [opsEmail] : [])];
      const rows = raised.flatMap((alert) =>
        recipients.map((email) => {
          const id = stableMessageId(clinicId, date, alert.metric, alert.level, email);
          return {
            id,
            clinicId,
            category: 'licence-alert',
            channels: ['email' as const],
            recipient: { email },
            templateKey: 'licence-alert',
            variables: { metric: METRIC_NAMES[alert.metric], percent: alert.percent, usage: alert.usage, limit: alert.limit, tier: clinic.licenseTier.name },
            workflowId: workflowIds.messageDelivery(clinicId, id),
          };
        }),
      );
      await prisma.message.createMany({ data: rows.map((r) => ({ expiresAt: defaultMessageDeadline(), ...r })), skipDuplicates: true });
      return rows.map((r) => r.id);
    },
  };
}
