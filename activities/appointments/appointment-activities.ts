/**
 * What the appointment lifecycle workflow does to the outside world: read the appointment,
 * write each transition to its row (the row and the workflow never disagree for long, and the
 * database's exclusion constraints still refuse a double booking on reschedule), and write the
 * messages the workflow then delivers. Ids, times and statuses go back to the workflow; names,
 * reasons and contact details stay in PostgreSQL.
 */
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { ApplicationFailure } from '@temporalio/activity';
import { type AppointmentAction, type AppointmentStatus, type AppointmentTimeline, TRANSITIONS } from '../../domain/appointments';
import { appointmentSettingsOf } from '../../domain/appointment-settings';
import { APPOINTMENT_ERRORS, type AppointmentMessageKind, type AppointmentMessagesInput, type AppointmentView, type CompleteArgs } from '../../domain/appointment-workflow';
import { hoursOf, whyNotBookable } from '../../domain/availability';
import { addDays, localDate, localTime, zonedTimeToUtc } from '../../domain/dates';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { isExclusionViolation } from '../../prisma/errors';
import { billCompletedSession, type SessionBillingDeps } from '../billing/session-billing';
import { createDeliverAtOnce, type DeliverAtOnceDeps } from '../messaging/deliver-at-once';
import { settlePackageSession } from '../../prisma/package-accounts';
import { sessionOutcome } from '../../domain/packages';
import { packageSettingsOf } from '../../domain/package-settings';
import { type Prisma } from '../../prisma/generated/client';
import { stableMessageId } from '../messaging/message-ids';
import { observeReminderLateness } from '../observability/business-metrics';

/** The reminder's key ends with its offset before the start (`reminder:<startsAt>:<offsetMinutes>`). */
function reminderDueAt(startsAt: Date, key: string): number {
  const offsetMinutes = Number(key.split(':').at(-1));
  return startsAt.getTime() - (Number.isFinite(offsetMinutes) ? offsetMinutes : 0) * 60_000;
}

const PATIENT_TEMPLATES: Record<Exclude<AppointmentMessageKind, 'no-show'>, string> = {
  confirmation: 'appointment-confirmation',
  reminder: 'appointment-reminder',
  rescheduled: 'appointment-rescheduled',
  cancelled: 'appointment-cancelled',
  'follow-up': 'follow-up-reminder',
};

/** Confirmations, reminders and notices of a change are useless once the visit starts: they expire then instead of arriving late. */
const UNTIL_THE_VISIT: ReadonlySet<AppointmentMessageKind> = new Set(['confirmation', 'reminder', 'rescheduled', 'cancelled']);

/** The transitions that end a session, and so settle a session it took from a package. */
const SETTLES_PACKAGE_SESSION: ReadonlySet<AppointmentAction> = new Set(['cancel', 'noShow', 'complete']);

/** The column each transition stamps with its time. */
const STAMP: Partial<Record<AppointmentAction, keyof Prisma.AppointmentUncheckedUpdateInput>> = {
  confirm: 'confirmedAt',
  cancel: 'cancelledAt',
  checkIn: 'checkedInAt',
  start: 'startedAt',
  complete: 'completedAt',
  noShow: 'noShowAt',
};

const view = (a: { status: AppointmentStatus; startsAt: Date; endsAt: Date }): AppointmentView => ({
  status: a.status,
  startsAt: a.startsAt.toISOString(),
  endsAt: a.endsAt.toISOString(),
});

/** 09:00 clinic time `daysBefore` days before the follow-up date, or now when that has passed. */
function followUpReminderAt(followUpDate: string, daysBefore: number, timeZone: string, now: number): number {
  return Math.max(zonedTimeToUtc(addDays(followUpDate, -daysBefore), '09:00', timeZone).getTime(), now);
}

export function createAppointmentActivities(deps: { prisma: PrismaClient } & Omit<SessionBillingDeps, 'prisma'> & Omit<DeliverAtOnceDeps, 'prisma'>) {
  const { prisma } = deps;
  const deliverAtOnce = createDeliverAtOnce(deps);
  const load = (clinicId: string, appointmentId: string) =>
    prisma.appointment.findFirst({ where: { id: appointmentId, clinicId }, include: { clinic: true, patient: true, practitioner: true } });

  /**
   * Writes the messages for one event of the appointment (ids derived from `key`, so a retry
   * writes nothing twice) and returns their ids. Patients get theirs on the clinic's reminder
   * channels in their own language; a no-show goes to the practitioner and the front desk by email.
   */
  async function writeMessages({ clinicId, appointmentId, kind, key, atMs }: AppointmentMessagesInput): Promise<Array<{ messageId: string; patientId: string | null }>> {
    const a = await load(clinicId, appointmentId);
    if (!a) return [];
    if (kind === 'reminder') observeReminderLateness(Date.now() - reminderDueAt(a.startsAt, key));
    const tz = a.clinic.timezone;
    const variables: Record<string, string> = {
      date: localDate(a.startsAt, tz),
      time: localTime(a.startsAt, tz),
      reservationId: a.reservationId,
      practitionerName: `${a.practitioner.firstName} ${a.practitioner.lastName}`,
      ...(a.followUpDate ? { followUpDate: a.followUpDate.toISOString().slice(0, 10) } : {}),
    };
    const base = { clinicId, category: 'appointment', variables, metadata: { appointmentId, event: kind } };
    let rows: Prisma.MessageCreateManyInput[];
    if (kind === 'no-show') {
      const desk = await prisma.staffUser.findMany({ where: { clinicId, active: true, role: 'RECEPTIONIST' }, select: { email: true } });
      const emails = [...new Set([a.practitioner.email, ...desk.map((d) => d.email)])];
      rows = emails.map((email) => {
        const id = stableMessageId(appointmentId, kind, key, email);
        return { ...base, id, channels: ['email'], recipient: { email }, templateKey: 'appointment-no-show', workflowId: workflowIds.messageDelivery(clinicId, id), expiresAt: defaultMessageDeadline(atMs) };
      });
    } else {
      const id = stableMessageId(appointmentId, kind, key);
      const { reminderChannels } = appointmentSettingsOf(a.clinic.settings);
      rows = [
        {
          ...base,
          id,
          patientId: a.patientId,
          channels: reminderChannels,
          templateKey: PATIENT_TEMPLATES[kind],
          language: a.patient.preferredLanguage,
          workflowId: workflowIds.messageDelivery(clinicId, id),
          expiresAt: UNTIL_THE_VISIT.has(kind) ? a.startsAt : defaultMessageDeadline(atMs),
        },
      ];
    }
    await prisma.message.createMany({ data: rows, skipDuplicates: true });
    return rows.map((r) => ({ messageId: r.id!, patientId: r.patientId ?? null }));
  }

  return {
    /**
     * The appointment's times and the clinic's reminder settings. The booking API starts the
     * workflow inside the transaction that inserts the row, so the row may not be there yet:
     * APPOINTMENT_NOT_FOUND, which the workflow asks again about until the booking's commit window
     * has passed (workflows/appointments/load-once-committed.ts).
     */
    async loadAppointmentTimeline({ clinicId, appointmentId, at }: { clinicId: string; appointmentId: string; at: number }): Promise<AppointmentTimeline> {
      const a = await load(clinicId, appointmentId);
      if (!a) throw ApplicationFailure.retryable('The appointment is not (yet) in the database', APPOINTMENT_ERRORS.notFound);
      const settings = appointmentSettingsOf(a.clinic.settings);
      return {
        status: a.status,
        startsAt: a.startsAt.getTime(),
        endsAt: a.endsAt.getTime(),
        plannedAt: Math.min(at, a.createdAt.getTime()),
        reminderOffsetsMinutes: settings.reminderOffsetsMinutes,
        noShowGraceMinutes: settings.noShowGraceMinutes,
        remindersSent: [],
      };
    },

    /**
     * Moves the row from one of the action's source states to its target, stamping the time.
     * Repeating a transition that already happened (a retried activity) answers the same; any other
     * state is refused with INVALID_TRANSITION.
     */
    async applyAppointmentTransition(input: {
      clinicId: string;
      appointmentId: string;
      action: Exclude<AppointmentAction, 'reschedule'>;
      at: number;
      reason?: string;
      completion?: CompleteArgs;
    }): Promise<AppointmentView & { followUpReminderAt?: number }> {
      const { clinicId, appointmentId, action, at } = input;
      const { from, to } = TRANSITIONS[action];
      const stamp = STAMP[action];
      const data: Prisma.AppointmentUncheckedUpdateManyInput = { status: to, ...(stamp ? { [stamp]: new Date(at) } : {}) };
      if (action === 'cancel') data.cancelReason = input.reason ?? null;
      if (action === 'complete' && input.completion) {
        data.followUpRequired = input.completion.followUpRequired ?? false;
        data.followUpDate = input.completion.followUpDate ? new Date(`${input.completion.followUpDate}T00:00:00Z`) : null;
        if (input.completion.notes !== undefined) data.notes = input.completion.notes;
      }
      const where = { id: appointmentId, clinicId, status: { in: [...from] } };
      // Ending a session settles what it took from a package in the same transaction: given back
      // on an early cancellation, spent when late, missed or attended (the clinic's settings).
      const count = SETTLES_PACKAGE_SESSION.has(action)
        ? await prisma.$transaction(async (tx) => {
            const { count: moved } = await tx.appointment.updateMany({ where, data });
            if (moved === 0) return 0;
            const row = await tx.appointment.findFirstOrThrow({ where: { id: appointmentId, clinicId }, select: { startsAt: true, patientPackageId: true, clinic: { select: { settings: true } } } });
            if (row.patientPackageId) {
              const outcome = sessionOutcome(packageSettingsOf(row.clinic.settings), { action: action as 'cancel' | 'noShow' | 'complete', at, startsAt: row.startsAt.getTime() });
              await settlePackageSession(tx, { clinicId, appointmentId, outcome, at: new Date(at) });
            }
            return moved;
          })
        : (await prisma.appointment.updateMany({ where, data })).count;
      const a = await load(clinicId, appointmentId);
      if (!a) throw ApplicationFailure.nonRetryable('No such appointment', APPOINTMENT_ERRORS.notFound);
      if (count === 0 && a.status !== to) throw ApplicationFailure.nonRetryable(`The appointment is ${a.status}`, APPOINTMENT_ERRORS.invalidTransition);
      const result: AppointmentView & { followUpReminderAt?: number } = view(a);
      // The visit is done and priced: its invoice, then the patient's prepaid credit pays for it as far as it goes.
      if (action === 'complete') await billCompletedSession(deps, clinicId, appointmentId, a.clinic.settings);
      if (action === 'complete' && a.followUpRequired && a.followUpDate) {
        const { followUpReminderDaysBefore } = appointmentSettingsOf(a.clinic.settings);
        result.followUpReminderAt = followUpReminderAt(a.followUpDate.toISOString().slice(0, 10), followUpReminderDaysBefore, a.clinic.timezone, at);
      }
      return result;
    },

    /**
     * Moves the appointment to a new start, keeping its length, inside the practitioner's working
     * hours (NOT_BOOKABLE otherwise). The exclusion constraints decide whether the new time is free
     * (SLOT_TAKEN otherwise); a moved appointment is SCHEDULED again.
     */
    async rescheduleAppointment({ clinicId, appointmentId, startsAt }: { clinicId: string; appointmentId: string; startsAt: string }): Promise<AppointmentView> {
      const a = await load(clinicId, appointmentId);
      if (!a) throw ApplicationFailure.nonRetryable('No such appointment', APPOINTMENT_ERRORS.notFound);
      const start = new Date(startsAt);
      if (a.startsAt.getTime() === start.getTime() && a.status === 'SCHEDULED') return view(a); // a retry after it worked
      const end = new Date(start.getTime() + (a.endsAt.getTime() - a.startsAt.getTime()));
      const schedule = await prisma.practitionerSchedule.findFirst({ where: { clinicId, practitionerId: a.practitionerId } });
      const why = whyNotBookable(hoursOf(schedule, a.clinic.timezone), { startsAt: start, endsAt: end });
      if (why) throw ApplicationFailure.nonRetryable(`The new time is not bookable: ${why}`, APPOINTMENT_ERRORS.notBookable);
      try {
        const { count } = await prisma.appointment.updateMany({
          where: { id: appointmentId, clinicId, status: { in: [...TRANSITIONS.reschedule.from] } },
          data: { startsAt: start, endsAt: end, status: 'SCHEDULED', confirmedAt: null },
        });
        if (count === 0) throw ApplicationFailure.nonRetryable(`The appointment is ${a.status}`, APPOINTMENT_ERRORS.invalidTransition);
      } catch (err) {
        if (isExclusionViolation(err)) throw ApplicationFailure.nonRetryable('The practitioner or the patient is already booked at that time', APPOINTMENT_ERRORS.slotTaken);
        throw err;
      }
      return { status: 'SCHEDULED', startsAt: start.toISOString(), endsAt: end.toISOString() };
    },

    /** Writes an event's messages for the workflow to deliver (the runs from before sendAppointmentMessages). */
    createAppointmentMessages: writeMessages,

    /**
     * Writes an event's messages and sends them (deliver-at-once.ts: a message the first try does
     * not deliver goes on in its own delivery workflow), so the workflow goes on in one step and
     * its history holds no child per message. A retry writes nothing twice and sends nothing twice.
     */
    async sendAppointmentMessages(input: AppointmentMessagesInput): Promise<number> {
      const messages = await writeMessages(input);
      await deliverAtOnce(input.clinicId, messages.map((m) => m.messageId), { nowMs: input.atMs ?? Date.now(), appointmentId: input.appointmentId });
      return messages.length;
    },
  };
}
