/**
 * What the payment-reminder workflows do to the outside world: open a clinic's monthly run, find
 * the patients who owe something a page at a time (one PaymentReminder row each, never two in a
 * run), and write each reminder, follow-up and final notice as a message the workflows deliver.
 * Amounts and links stay in PostgreSQL; the workflows see ids and outcomes only.
 */
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { type Client, WorkflowIdReusePolicy } from '@temporalio/client';
import { Prisma } from '../../prisma/generated/client';
import { type PayLinkSettings, payUrl } from './pay-links';
import { type ChaseStepResult, reminderMonth, type DunningStep } from '../../domain/payment-reminders';
import { paymentReminderSettingsOf } from '../../domain/payment-reminder-settings';
import { paymentBalanceStart, workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { outstandingDues, patientsWithDues } from '../../prisma/patient-accounts';
import { stableMessageId } from '../messaging/message-ids';
import { recordPaymentReminderRun } from '../observability/business-metrics';
import { startEach } from '../temporal/start-many';

export function createPaymentReminderActivities({ prisma, payLinks, temporal }: { prisma: PrismaClient; payLinks: PayLinkSettings; temporal: Client }) {
  const runOf = (clinicId: string, month: string) => prisma.paymentReminderRun.findUnique({ where: { clinicId_month: { clinicId, month } } });

  /** What the patient owes now (payments since the run count), and the reminder with its clinic. */
  async function current(clinicId: string, reminderId: string) {
    const reminder = await prisma.paymentReminder.findFirstOrThrow({ where: { id: reminderId, clinicId }, include: { clinic: true, patient: true } });
    const dues = await outstandingDues(prisma, clinicId, reminder.patientId, reminder.clinic.currency);
    return { reminder, dues, owes: new Prisma.Decimal(dues.total).greaterThan(0) };
  }

  async function settle(reminderId: string): Promise<{ settled: true }> {
    await prisma.paymentReminder.updateMany({ where: { id: reminderId, status: 'OPEN' }, data: { status: 'SETTLED', settledAt: new Date() } });
    return { settled: true };
  }

  return {
    /**
     * The run the Schedule's firing at `at` belongs to: the clinic's month at that instant. A month
     * that already has a run (the admin ran it early, the firing was caught up twice) keeps it;
     * whether it has finished tells the Schedule's starter to leave it be.
     */
    async openScheduledPaymentReminderRun({ clinicId, at }: { clinicId: string; at: string }): Promise<{ month: string; finished: boolean }> {
      const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { timezone: true } });
      const month = reminderMonth(new Date(at), clinic.timezone);
      await prisma.paymentReminderRun.createMany({
        data: [{ clinicId, month, workflowId: workflowIds.paymentReminderRun(clinicId, month), trigger: 'SCHEDULE' }],
        skipDuplicates: true,
      });
      const run = await runOf(clinicId, month);
      if (run && !run.finishedAt && run.trigger === 'SCHEDULE') recordPaymentReminderRun('opened', run.trigger);
      return { month, finished: !!run?.finishedAt };
    },

    /**
     * The next page of patients who owe something, each with their PaymentReminder row: rows are
     * unique per run and patient, so a retried page (or a restarted run) finds the rows it made
     * before and reminds nobody twice. Returns the rows after `after` in patient order, and whether
     * there may be more.
     */
    async preparePaymentReminders({ clinicId, month, after, limit }: { clinicId: string; month: string; after?: string; limit: number }) {
      const run = await runOf(clinicId, month);
      if (!run) throw new Error(`No payment-reminder run ${month} for this clinic`);
      const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } });
      const owing = await patientsWithDues(prisma, clinicId, after, limit);
      await prisma.paymentReminder.createMany({
        data: owing.map((o) => ({ clinicId, runId: run.id, patientId: o.patientId, amount: o.total, currency: clinic.currency })),
        skipDuplicates: true,
      });
      const rows = await prisma.paymentReminder.findMany({
        where: { runId: run.id, ...(after ? { patientId: { gt: after } } : {}) },
        orderBy: { patientId: 'asc' },
        take: limit,
        select: { id: true, patientId: true },
      });
      return { reminders: rows.map((r) => ({ reminderId: r.id, patientId: r.patientId })), more: owing.length === limit || rows.length === limit };
    },

    /**
     * Starts one page's chases. A chase that exists already (this page retried, the run restarted)
     * is left as it is: the chase's id is its month and patient, and a finished one is not reused.
     */
    async startPaymentChases({ clinicId, month, reminders }: { clinicId: string; month: string; reminders: Array<{ reminderId: string; patientId: string }> }): Promise<number> {
      return startEach(reminders, ({ reminderId, patientId }) =>
        temporal.workflow.start('paymentBalanceWorkflow', { ...paymentBalanceStart({ clinicId, month, patientId, reminderId }), workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }),
      );
    },

    async finishPaymentReminderRun({ clinicId, month }: { clinicId: string; month: string }): Promise<number> {
      const run = await runOf(clinicId, month);
      if (!run) return 0;
      const { count: finishedNow } = await prisma.paymentReminderRun.updateMany({ where: { id: run.id, finishedAt: null }, data: { finishedAt: new Date() } });
      const reminders = await prisma.paymentReminder.count({ where: { runId: run.id } });
      // Counted once per run: a retried activity finds it finished already.
      if (finishedNow) recordPaymentReminderRun('finished', run.trigger, reminders);
      return reminders;
    },

    /** The clinic's chase settings as they are when a balance's chase begins. */
    async paymentChasePlan({ clinicId }: { clinicId: string }): Promise<{ followUpDays: number[]; finalNoticeDays: number }> {
      const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } });
      const { followUpDays, finalNoticeDays } = paymentReminderSettingsOf(clinic.settings);
      return { followUpDays, finalNoticeDays };
    },

    /** Settled once nothing is owed any more (a payment, a credit, a refund of the session). */
    async checkPaymentBalance({ clinicId, reminderId }: { clinicId: string; reminderId: string }): Promise<boolean> {
      const { owes } = await current(clinicId, reminderId);
      if (!owes) await settle(reminderId);
      return !owes;
    },

    /**
     * The reminder (step null) or a follow-up, to the patient (or their guardian, by the delivery's
     * contact rules), with what is owed now and the payment link; nothing when it has been paid.
     */
    async createPaymentChaseMessage({ clinicId, reminderId, step }: { clinicId: string; reminderId: string; step: Extract<DunningStep, { kind: 'follow-up' }> | null }): Promise<ChaseStepResult> {
      const { reminder, dues, owes } = await current(clinicId, reminderId);
      if (!owes) return settle(reminderId);
      const settings = paymentReminderSettingsOf(reminder.clinic.settings);
      const id = stableMessageId('payment-reminder', reminderId, step ? `follow-up-${step.number}` : 'reminder');
      await prisma.$transaction([
        prisma.message.createMany({
          data: [
            {
              id,
              clinicId,
              patientId: reminder.patientId,
              category: 'payment',
              channels: settings.channels,
              templateKey: step ? 'payment-follow-up' : settings.template,
              variables: { amount: dues.total, currency: dues.currency, payUrl: payUrl(payLinks.baseUrl, payLinks.secret, reminderId) },
              language: reminder.patient.preferredLanguage,
              metadata: { paymentReminderId: reminderId, event: step ? `follow-up-${step.number}` : 'reminder' },
              workflowId: workflowIds.messageDelivery(clinicId, id),
              expiresAt: defaultMessageDeadline(),
            },
          ],
          skipDuplicates: true,
        }),
        prisma.paymentReminder.update({ where: { id: reminderId }, data: step ? { followUpsSent: step.number } : { messageId: id } }),
      ]);
      return { settled: false, messageIds: [id], patientId: reminder.patientId };
    },

    /** Still owed after every follow-up: the clinic's accountants (or its admins, when it has none) are told. */
    async createPaymentFinalNotice({ clinicId, reminderId }: { clinicId: string; reminderId: string }): Promise<ChaseStepResult> {
      const { reminder, dues, owes } = await current(clinicId, reminderId);
      if (!owes) return settle(reminderId);
      const staff = async (role: 'ACCOUNTANT' | 'CLINIC_ADMIN') => prisma.staffUser.findMany({ where: { clinicId, role, active: true }, select: { email: true }, orderBy: { email: 'asc' } });
      const accountants = await staff('ACCOUNTANT');
      const recipients = (accountants.length ? accountants : await staff('CLINIC_ADMIN')).map((s) => s.email);
      const tz = reminder.clinic.timezone;
      const variables = {
        patientNumber: reminder.patient.barcode,
        amount: dues.total,
        currency: dues.currency,
        remindedOn: reminder.createdAt.toLocaleDateString('en-CA', { timeZone: tz }),
        followUps: reminder.followUpsSent,
      };
      const rows = recipients.map((email) => {
        const id = stableMessageId('payment-final-notice', reminderId, email);
        return {
          id,
          clinicId,
          category: 'payment',
          channels: ['email' as const],
          recipient: { email },
          templateKey: 'payment-final-notice',
          variables,
          metadata: { paymentReminderId: reminderId, event: 'final-notice' },
          workflowId: workflowIds.messageDelivery(clinicId, id),
        };
      });
      await prisma.$transaction([
        prisma.message.createMany({ data: rows.map((r) => ({ expiresAt: defaultMessageDeadline(), ...r })), skipDuplicates: true }),
        prisma.paymentReminder.update({ where: { id: reminderId }, data: { status: 'FINAL_NOTICE_SENT', finalNoticeAt: new Date() } }),
      ]);
      return { settled: false, messageIds: rows.map((r) => r.id), patientId: null };
    },
  };
}
