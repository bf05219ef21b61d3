/**
 * The month's close for a clinic that invoices monthly: one invoice per patient for the sessions
 * of the month before the firing (and any completed since an earlier close), then the patient's
 * prepaid credit pays them as far as it goes, and the messages about both are delivered. Each
 * step is idempotent (an invoice per patient and month, a credit use per session, stable message
 * ids), so a retried or caught-up close issues nothing twice.
 */
import { heartbeat } from '@temporalio/activity';
import { type Client } from '@temporalio/client';
import { billingSettingsOf } from '../../domain/billing';
import { AlreadyIssued } from '../../prisma/billing/documents';
import { issueMonthlyInvoice, monthEnd, sessionsToInvoice } from '../../prisma/billing/monthly-invoices';
import { type PrismaClient } from '../../prisma/client';
import { sessionCreditKey, useCreditForSession } from '../../prisma/patient-accounts';
import { stableMessageId } from '../messaging/message-ids';
import { startPendingDeliveries } from '../messaging/start-pending-deliveries';
import { type PayLinkSettings } from '../payments/pay-links';
import { previousMonth } from '../reports/monthly-report-activities';

export function createMonthlyInvoicingActivities({ prisma, temporal, payLinks }: { prisma: PrismaClient; temporal?: Client; payLinks: PayLinkSettings }) {
  return {
    /** Returns the month closed and how many invoices this call issued (none for a clinic that invoices per session). */
    async issueMonthlyInvoices({ clinicId, at }: { clinicId: string; at: string }): Promise<{ month: string; invoices: number }> {
      const clinic = await prisma.clinic.findUnique({ where: { id: clinicId }, select: { timezone: true, settings: true } });
      if (!clinic || billingSettingsOf(clinic.settings).invoicing !== 'monthly') return { month: '', invoices: 0 };
      const month = previousMonth(new Date(at), clinic.timezone);
      let invoices = 0;
      for (const { patientId, appointmentIds } of await sessionsToInvoice(prisma, clinicId, monthEnd(month, clinic.timezone))) {
        try {
          // Invoices of the clinic queue for its counter: wait for a connection longer than Prisma's default 2 s.
          const issued = await prisma.$transaction((tx) => issueMonthlyInvoice(tx, clinicId, { patientId, month, appointmentIds, timezone: clinic.timezone, at: new Date() }, payLinks), { maxWait: 15_000, timeout: 20_000 });
          if (issued) invoices++;
        } catch (err) {
          if (!(err instanceof AlreadyIssued)) throw err; // issued meanwhile by a concurrent try
        }
        heartbeat(patientId);
      }
      // Every invoice of this close, also those an earlier try issued before it failed: credit, then the messages.
      const issued = await prisma.invoice.findMany({ where: { clinicId, sourceKey: { startsWith: `month:${month}:` } }, select: { id: true, lines: { select: { appointmentId: true } } } });
      for (const invoice of issued) {
        const sessions = [...new Set(invoice.lines.flatMap((l) => (l.appointmentId ? [l.appointmentId] : [])))];
        for (const appointmentId of sessions) await useCreditForSession(prisma, clinicId, appointmentId, payLinks);
        const receipts = await prisma.receipt.findMany({ where: { clinicId, payment: { idempotencyKey: { in: sessions.map(sessionCreditKey) } } }, select: { id: true } });
        const messageIds = [stableMessageId('billing-document', 'invoice', invoice.id), ...receipts.map((r) => stableMessageId('billing-document', 'receipt', r.id))];
        await startPendingDeliveries({ prisma, temporal }, clinicId, messageIds);
        heartbeat(invoice.id);
      }
      return { month, invoices };
    },
  };
}
