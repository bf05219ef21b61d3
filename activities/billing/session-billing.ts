/**
 * What completing a priced session does to the patient's account: its invoice (once per session),
 * then the prepaid credit that pays for it as far as it goes (a CREDIT payment with its receipt),
 * and the deliveries of the messages about both. A clinic that invoices monthly does both at the
 * month's close instead (activities/billing/monthly-invoicing.ts). Each step is idempotent, so the completion
 * activity may be retried at any point: a retry issues nothing twice and starts any delivery
 * that the first try committed but did not start.
 */
import { type Client } from '@temporalio/client';
import { billingSettingsOf } from '../../domain/billing';
import { type PrismaClient } from '../../prisma/client';
import { AlreadyIssued, type DocumentLinks, issueSessionInvoice } from '../../prisma/billing/documents';
import { sessionCreditKey, useCreditForSession } from '../../prisma/patient-accounts';
import { type LinkedDocument } from '../../prisma/billing/document-links';
import { stableMessageId } from '../messaging/message-ids';
import { startPendingDeliveries } from '../messaging/start-pending-deliveries';

export interface SessionBillingDeps {
  prisma: PrismaClient;
  /** Starts the deliveries; without it (some tests) the messages stay PENDING. */
  temporal?: Client;
  /** Signs the download links in the messages; without it no message is written. */
  payLinks?: DocumentLinks;
}

/** `clinicSettings`: the clinic's settings as the caller read them with the appointment. */
export async function billCompletedSession(deps: SessionBillingDeps, clinicId: string, appointmentId: string, clinicSettings: unknown): Promise<void> {
  const { prisma } = deps;
  const links = deps.payLinks ?? null;
  if (billingSettingsOf(clinicSettings).invoicing === 'monthly') return;
  try {
    // Completions across the clinic queue for its invoice counter: wait for a connection longer than Prisma's default 2 s.
    await prisma.$transaction((tx) => issueSessionInvoice(tx, clinicId, appointmentId, links), { maxWait: 15_000, timeout: 20_000 });
  } catch (err) {
    if (!(err instanceof AlreadyIssued)) throw err; // issued meanwhile by a concurrent try: nothing to add
  }
  await useCreditForSession(prisma, clinicId, appointmentId, links);
  await startDocumentDeliveries(deps, clinicId, appointmentId);
}

/** Starts the delivery of every message about the session's invoice and credit receipt that is still waiting for one. */
async function startDocumentDeliveries(deps: SessionBillingDeps, clinicId: string, appointmentId: string): Promise<void> {
  const [invoice, receipt] = await Promise.all([
    deps.prisma.invoice.findFirst({ where: { clinicId, sourceKey: `appointment:${appointmentId}` }, select: { id: true } }),
    deps.prisma.receipt.findFirst({ where: { clinicId, payment: { idempotencyKey: sessionCreditKey(appointmentId) } }, select: { id: true } }),
  ]);
  const docs: Array<[LinkedDocument, string | undefined]> = [
    ['invoice', invoice?.id],
    ['receipt', receipt?.id],
  ];
  const ids = docs.flatMap(([kind, id]) => (id ? [stableMessageId('billing-document', kind, id)] : []));
  await startPendingDeliveries(deps, clinicId, ids, appointmentId);
}
