/**
 * What the package workflow does to the outside world: read its package, mirror each change of
 * state into its row (pause, resume, cancel at period end, expiry, renewal), and write the messages
 * it then delivers (the expiry reminder, the dunning chase of an unpaid renewal). Each write is
 * conditional on the state it expects, so a retried activity changes nothing twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { type Client } from '@temporalio/client';
import { appointmentSettingsOf } from '../../domain/appointment-settings';
import { localDate } from '../../domain/dates';
import { addMonth, PACKAGE_ERRORS, type PackageAction, packageRefusal, type PackageTimeline } from '../../domain/packages';
import { packageSettingsOf } from '../../domain/package-settings';
import { type DunningStep } from '../../domain/payment-reminders';
import { paymentReminderSettingsOf } from '../../domain/payment-reminder-settings';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { type MessageChannel, type PatientPackage } from '../../prisma/generated/client';
import { payPackageCharge } from '../../prisma/package-accounts';
import { money } from '../../prisma/patient-accounts';
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { stableMessageId } from '../messaging/message-ids';
import { startPendingDeliveries } from '../messaging/start-pending-deliveries';
import { type PayLinkSettings, payToken } from '../payments/pay-links';

/** The link in a renewal's chase: opens a Stripe Checkout for that charge (api/routes/package-pay.ts). */
export const packageChargePayUrl = (links: PayLinkSettings, chargeId: string) => `${links.baseUrl.replace(/\/$/, '')}/api/v1/pay/package-charges/${payToken(links.secret, chargeId)}`;

export type PackageChaseResult = { settled: true } | { settled: false; messageIds: string[]; patientId: string | null };

export function createPackageActivities({ prisma, payLinks, temporal }: { prisma: PrismaClient; payLinks: PayLinkSettings; temporal?: Client }) {
  const load = (clinicId: string, packageId: string) => prisma.patientPackage.findFirst({ where: { id: packageId, clinicId }, include: { clinic: true, patient: true } });

  async function timeline(clinicId: string, packageId: string): Promise<PackageTimeline> {
    const p = await load(clinicId, packageId);
    if (!p) throw ApplicationFailure.nonRetryable('No such package', PACKAGE_ERRORS.notFound);
    return timelineOf(p, packageSettingsOf(p.clinic.settings).expiryReminderDays, await dueChargeOf(p));
  }

  async function dueChargeOf(p: PatientPackage): Promise<string | null> {
    const due = await prisma.packageCharge.findFirst({ where: { clinicId: p.clinicId, patientPackageId: p.id, period: p.period, status: 'DUE' }, select: { id: true } });
    return due?.id ?? null;
  }

  const audit = (p: { clinicId: string; id: string }, action: string, after: Record<string, string | boolean>) =>
    prisma.auditLog.create({ data: { clinicId: p.clinicId, action, entityType: 'PatientPackage', entityId: p.id, changes: { after } } });

  async function patientMessage(p: NonNullable<Awaited<ReturnType<typeof load>>>, input: { key: string; templateKey: string; channels: MessageChannel[]; variables: Record<string, string | number>; metadata: Record<string, string> }) {
    const id = stableMessageId('package', p.id, input.key);
    await prisma.message.createMany({
      data: [
        {
          id,
          clinicId: p.clinicId,
          patientId: p.patientId,
          category: 'payment',
          channels: input.channels,
          templateKey: input.templateKey,
          variables: input.variables,
          language: p.patient.preferredLanguage,
          metadata: { patientPackageId: p.id, ...input.metadata },
          workflowId: workflowIds.messageDelivery(p.clinicId, id),
          expiresAt: defaultMessageDeadline(),
        },
      ],
      skipDuplicates: true,
    });
    return id;
  }

  return {
    async loadPackageTimeline({ clinicId, packageId }: { clinicId: string; packageId: string }): Promise<PackageTimeline> {
      return timeline(clinicId, packageId);
    },

    /** Pause, resume (the period is lengthened by the pause) or (un)cancel at period end, as the row says it may. */
    async applyPackageAction({ clinicId, packageId, action, at, cancel }: { clinicId: string; packageId: string; action: PackageAction; at: number; cancel?: boolean }): Promise<PackageTimeline> {
      const p = await load(clinicId, packageId);
      if (!p) throw ApplicationFailure.nonRetryable('No such package', PACKAGE_ERRORS.notFound);
      const refused = packageRefusal(action, p);
      // A retry after the change landed finds it done: answer with the state, do not refuse.
      const done = (action === 'pause' && p.status === 'PAUSED') || (action === 'resume' && p.status === 'ACTIVE' && !p.pausedAt) || (action === 'cancelAtPeriodEnd' && p.cancelAtPeriodEnd === cancel);
      if (refused && !done) throw ApplicationFailure.nonRetryable(refused, PACKAGE_ERRORS.invalidTransition);
      if (!done) {
        if (action === 'pause') {
          await prisma.patientPackage.updateMany({ where: { id: p.id, clinicId, status: 'ACTIVE' }, data: { status: 'PAUSED', pausedAt: new Date(at) } });
        } else if (action === 'resume') {
          const shift = at - (p.pausedAt?.getTime() ?? at);
          await prisma.patientPackage.updateMany({
            where: { id: p.id, clinicId, status: 'PAUSED' },
            data: { status: 'ACTIVE', pausedAt: null, ...(p.expiresAt ? { expiresAt: new Date(p.expiresAt.getTime() + shift) } : {}) },
          });
        } else {
          await prisma.patientPackage.updateMany({ where: { id: p.id, clinicId }, data: { cancelAtPeriodEnd: cancel ?? true } });
        }
        await audit(p, `package.${action}`, { at: new Date(at).toISOString(), ...(cancel !== undefined ? { cancelAtPeriodEnd: cancel } : {}) });
      }
      return timeline(clinicId, packageId);
    },

    /** The reminder that unused sessions expire soon, to the patient in their language; marks it sent. */
    async createPackageExpiryReminder({ clinicId, packageId }: { clinicId: string; packageId: string }): Promise<{ messageIds: string[]; patientId: string }> {
      const p = await load(clinicId, packageId);
      if (!p || !p.expiresAt) return { messageIds: [], patientId: p?.patientId ?? '' };
      const id = await patientMessage(p, {
        key: `expiry-reminder:${p.expiresAt.toISOString()}`,
        templateKey: 'package-expiry-reminder',
        channels: appointmentSettingsOf(p.clinic.settings).reminderChannels,
        variables: { packageName: p.name, sessionsRemaining: p.sessionsRemaining, expiresOn: localDate(p.expiresAt, p.clinic.timezone) },
        metadata: { event: 'expiry-reminder' },
      });
      await prisma.patientPackage.updateMany({ where: { id: p.id, clinicId, expiryReminderSentAt: null }, data: { expiryReminderSentAt: new Date() } });
      return { messageIds: [id], patientId: p.patientId };
    },

    /**
     * The end of a package (or of a subscription cancelled at period end): unused sessions expire,
     * a charge still owed is void. EXPIRED for a package, CANCELLED for a subscription.
     */
    async endPackage({ clinicId, packageId, at, reason }: { clinicId: string; packageId: string; at: number; reason: 'expired' | 'cancelled' | 'unpaid' | 'abandoned' }): Promise<PackageTimeline> {
      const p = await load(clinicId, packageId);
      if (!p) throw ApplicationFailure.nonRetryable('No such package', PACKAGE_ERRORS.notFound);
      const status = reason === 'expired' ? 'EXPIRED' : 'CANCELLED';
      const from = reason === 'abandoned' ? ['PENDING_PAYMENT' as const] : (['ACTIVE', 'PAST_DUE', 'PAUSED'] as const);
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.patientPackage.updateMany({
          where: { id: p.id, clinicId, status: { in: [...from] } },
          data: { status, endedAt: new Date(at), expiredSessions: { increment: p.sessionsRemaining }, sessionsRemaining: 0 },
        });
        if (!count) return;
        await tx.packageCharge.updateMany({ where: { clinicId, patientPackageId: p.id, status: 'DUE' }, data: { status: 'VOID' } });
        await tx.auditLog.create({ data: { clinicId, action: `package.${reason}`, entityType: 'PatientPackage', entityId: p.id, changes: { after: { status, expiredSessions: p.sessionsRemaining } } } });
      });
      return timeline(clinicId, packageId);
    },

    /**
     * A subscription's next month: unused sessions of the month that ended lapse, the quota is
     * reset, and the month is charged. The patient's prepaid credit pays it when it covers it;
     * otherwise the subscription is PAST_DUE (its sessions cannot be booked) until the charge is
     * paid. Conditional on the period it renews, so a retry renews nothing twice.
     */
    async renewSubscription({ clinicId, packageId, period, at }: { clinicId: string; packageId: string; period: number; at: number }): Promise<{ timeline: PackageTimeline; chargeId: string; paid: boolean }> {
      const p = await load(clinicId, packageId);
      if (!p) throw ApplicationFailure.nonRetryable('No such package', PACKAGE_ERRORS.notFound);
      if (p.period === period && p.status === 'ACTIVE' && p.expiresAt) {
        const start = p.expiresAt;
        await prisma.$transaction(async (tx) => {
          const { count } = await tx.patientPackage.updateMany({
            where: { id: p.id, clinicId, period, status: 'ACTIVE' },
            data: {
              period: period + 1,
              periodStart: start,
              expiresAt: new Date(addMonth(start.getTime())),
              expiredSessions: { increment: p.sessionsRemaining },
              sessionsRemaining: p.sessionsPerPeriod,
              status: 'PAST_DUE',
            },
          });
          if (!count) return;
          await tx.packageCharge.create({ data: { clinicId, patientPackageId: p.id, patientId: p.patientId, kind: 'RENEWAL', period: period + 1, amount: p.price, currency: p.currency } });
          await tx.auditLog.create({ data: { clinicId, action: 'package.renew', entityType: 'PatientPackage', entityId: p.id, changes: { after: { period: period + 1, lapsedSessions: p.sessionsRemaining, amount: money(p.price) } } } });
        });
      }
      const charge = await prisma.packageCharge.findUniqueOrThrow({ where: { patientPackageId_period: { patientPackageId: p.id, period: Math.max(period + 1, p.period) } } });
      let paid = charge.status === 'PAID';
      if (charge.status === 'DUE') {
        // The patient's prepaid credit pays the month when it covers it; the chase is for the rest.
        const result = await prisma.$transaction((tx) =>
          payPackageCharge(tx, { clinicId, chargeId: charge.id, method: 'CREDIT', at: new Date(at), idempotencyKey: `package-renewal-credit:${charge.id}`, note: `Renewal of ${p.name} from prepaid credit`, links: payLinks }),
        );
        paid = !!result && result !== 'INSUFFICIENT_CREDIT';
      }
      if (paid) {
        // The receipt of the month's payment goes to the patient (found again on a retry: its message has a stable id).
        const receipts = await prisma.receipt.findMany({ where: { clinicId, payment: { packageChargeId: charge.id } }, select: { id: true } });
        await startPendingDeliveries({ prisma, temporal }, clinicId, receipts.map((r) => stableMessageId('billing-document', 'receipt', r.id)));
      }
      return { timeline: await timeline(clinicId, packageId), chargeId: charge.id, paid };
    },

    /** The clinic's chase settings (the balance chase's), as they are when a renewal goes unpaid. */
    async packageChasePlan({ clinicId }: { clinicId: string }): Promise<{ followUpDays: number[]; finalNoticeDays: number }> {
      const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } });
      const { followUpDays, finalNoticeDays } = paymentReminderSettingsOf(clinic.settings);
      return { followUpDays, finalNoticeDays };
    },

    /**
     * A step of an unpaid renewal's chase: the first notice (step null) or a follow-up to the
     * patient with the amount and a pay link, or the final notice to the clinic's accountants (its
     * admins when it has none). Nothing when the charge is no longer due.
     */
    async createPackageChaseMessage({ clinicId, packageId, chargeId, step }: { clinicId: string; packageId: string; chargeId: string; step: DunningStep | null }): Promise<PackageChaseResult> {
      const p = await load(clinicId, packageId);
      const charge = await prisma.packageCharge.findFirst({ where: { id: chargeId, clinicId } });
      if (!p || !charge || charge.status !== 'DUE') return { settled: true };
      const variables = { packageName: p.name, amount: money(charge.amount), currency: charge.currency, payUrl: packageChargePayUrl(payLinks, charge.id) };
      if (step?.kind !== 'final-notice') {
        const id = await patientMessage(p, {
          key: `renewal:${charge.id}:${step ? `follow-up-${step.number}` : 'notice'}`,
          templateKey: step ? 'package-renewal-follow-up' : 'package-renewal-due',
          channels: paymentReminderSettingsOf(p.clinic.settings).channels,
          variables,
          metadata: { packageChargeId: charge.id, event: step ? `follow-up-${step.number}` : 'renewal-due' },
        });
        return { settled: false, messageIds: [id], patientId: p.patientId };
      }
      const staff = async (role: 'ACCOUNTANT' | 'CLINIC_ADMIN') => prisma.staffUser.findMany({ where: { clinicId, role, active: true }, select: { email: true }, orderBy: { email: 'asc' } });
      const accountants = await staff('ACCOUNTANT');
      const recipients = (accountants.length ? accountants : await staff('CLINIC_ADMIN')).map((s) => s.email);
      const rows = recipients.map((email) => {
        const id = stableMessageId('package-final-notice', charge.id, email);
        return {
          id,
          clinicId,
          category: 'payment',
          channels: ['email' as const],
          recipient: { email },
          templateKey: 'payment-final-notice',
          variables: { patientNumber: p.patient.barcode, amount: money(charge.amount), currency: charge.currency, remindedOn: localDate(charge.createdAt, p.clinic.timezone), followUps: paymentReminderSettingsOf(p.clinic.settings).followUpDays.length },
          metadata: { patientPackageId: p.id, packageChargeId: charge.id, event: 'final-notice' },
          workflowId: workflowIds.messageDelivery(clinicId, id),
          expiresAt: defaultMessageDeadline(),
        };
      });
      await prisma.message.createMany({ data: rows, skipDuplicates: true });
      return { settled: false, messageIds: rows.map((r) => r.id), patientId: null };
    },
  };
}

function timelineOf(p: PatientPackage, expiryReminderDays: number, dueChargeId: string | null): PackageTimeline {
  return {
    kind: p.kind,
    status: p.status,
    period: p.period,
    periodStart: p.periodStart?.getTime() ?? null,
    expiresAt: p.expiresAt?.getTime() ?? null,
    cancelAtPeriodEnd: p.cancelAtPeriodEnd,
    expiryReminderSent: !!p.expiryReminderSentAt,
    expiryReminderDays,
    dueChargeId,
    createdAt: p.createdAt.getTime(),
  };
}
