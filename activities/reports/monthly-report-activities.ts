/**
 * The monthly owner report: one e-mail per active clinic admin with a signed link to last
 * month's PDF (activities/reports/report-links.ts; the API builds the PDF when it is followed).
 * Message ids are derived from clinic, month and address, so a retried or re-run firing writes
 * nothing new.
 */
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { stableMessageId } from '../messaging/message-ids';
import { type PayLinkSettings } from '../payments/pay-links';
import { REPORT_LINK_TTL_DAYS, reportUrl } from './report-links';

/** The calendar month (yyyy-mm) before the one `at` falls in, in `timezone`. */
export function previousMonth(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: '2-digit' }).formatToParts(at);
  const year = Number(parts.find((p) => p.type === 'year')!.value);
  const month = Number(parts.find((p) => p.type === 'month')!.value);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

export function createMonthlyReportActivities({ prisma, payLinks }: { prisma: PrismaClient; payLinks: PayLinkSettings }) {
  return {
    async createMonthlyReportMessages({ clinicId, at }: { clinicId: string; at: string }): Promise<{ month: string; messageIds: string[] }> {
      const clinic = await prisma.clinic.findUnique({ where: { id: clinicId }, select: { timezone: true, name: true } });
      if (!clinic) return { month: '', messageIds: [] };
      const month = previousMonth(new Date(at), clinic.timezone);
      const admins = await prisma.staffUser.findMany({ where: { clinicId, role: 'CLINIC_ADMIN', active: true }, select: { email: true }, orderBy: { email: 'asc' } });
      const expiresAt = new Date(new Date(at).getTime() + REPORT_LINK_TTL_DAYS * 86_400_000);
      const link = reportUrl(payLinks.baseUrl, payLinks.secret, { clinicId, month, expiresAt });
      const rows = admins.map(({ email }) => {
        const id = stableMessageId(clinicId, 'monthly-report', month, email);
        return {
          id,
          clinicId,
          category: 'monthly-report',
          channels: ['email' as const],
          recipient: { email },
          templateKey: 'monthly-report',
          variables: { month, link, days: REPORT_LINK_TTL_DAYS },
          workflowId: workflowIds.messageDelivery(clinicId, id),
          expiresAt: defaultMessageDeadline(),
        };
      });
      await prisma.message.createMany({ data: rows, skipDuplicates: true });
      return { month, messageIds: rows.map((r) => r.id) };
    },
  };
}
