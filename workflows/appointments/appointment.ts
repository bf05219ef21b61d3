import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  APPOINTMENT_ERRORS,
  type AppointmentMessageKind,
  type AppointmentOutcome,
  appointmentStateQuery,
  appointmentUpdates,
  type AppointmentView,
  type AppointmentWorkflowState,
  type CancelArgs,
  type CompleteArgs,
  type RescheduleArgs,
} from '../../domain/appointment-workflow';
import { type AppointmentAction, type AppointmentTimeline, isFinished, nextStep, pendingReminders, refusal } from '../../domain/appointments';
import { type AppointmentWorkflowInput, documentationDeadlineStart, SEARCH_ATTRIBUTES } from '../../domain/temporal';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { documentationDeadlineWorkflow } from '../documentation/documentation-deadline';
import { deliverMessage } from '../messaging/deliver-message';
import { asUpdateFailure } from './activity-refusal';
import { LOAD_ONCE_COMMITTED_PATCH, loadOnceCommitted } from './load-once-committed';

/** Runs that complete on this version start the session's documentation deadline; older histories replay without it. */
export const DOCUMENTATION_DEADLINE_PATCH = 'documentation-deadline';

/** The appointment's own steps, whether they run as activities or as local ones. */
const STEP_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: Object.values(APPOINTMENT_ERRORS) },
} as const;

const acts = proxyActivities<Activities>(STEP_OPTIONS);

// Before LOAD_ONCE_COMMITTED_PATCH: seven attempts (about 45 s), then NOT_BOOKED, even when the
// database was only down. Kept for the runs that started on that version.
const { loadAppointmentTimeline } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 7 },
});

// The booking API starts this workflow inside the transaction that inserts the row: a few quick
// tries, an absent row at once; loadOnceCommitted waits out outages and the commit window.
const { loadAppointmentTimeline: loadCommittedTimeline } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [APPOINTMENT_ERRORS.notFound] },
});

/**
 * Runs on this version write an event's messages and start their deliveries in one local activity:
 * no activity task on the server, and no child per message whose start and end would each wake
 * the workflow again, so reminders due at the same minute go out sooner. Older histories replay
 * with the activity and the children they recorded.
 */
export const LOCAL_MESSAGES_PATCH = 'appointment-messages-local';

const local = proxyLocalActivities<Activities>(STEP_OPTIONS);

/**
 * Runs on this version load their row in a local activity too, so a booking's first workflow task
 * loads it, confirms it and sets its first timer, with no activity task on the server. Older
 * histories replay with the activity they recorded.
 */
export const LOCAL_LOAD_PATCH = 'appointment-load-local';

const { loadAppointmentTimeline: loadCommittedTimelineLocally } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [APPOINTMENT_ERRORS.notFound] },
});

/** Far below Temporal's limits, so a much-rescheduled appointment never gets near them. */
const HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW = 2_000;

export interface AppointmentWorkflowArgs extends AppointmentWorkflowInput {
  /** Carried over by continue-as-new. */
  timeline?: AppointmentTimeline;
}

/**
 * One appointment from booking to its end: confirms the booking to the patient, reminds them at
 * the clinic's offsets before the visit, turns a missing check-in into a no-show after the grace
 * period, and after a completed visit that needs a follow-up reminds the patient to book it. Staff
 * steer it with updates (confirm, cancel, reschedule, check in, start, complete, no-show), each
 * checked against the current state before it is accepted; every change lands in the database row
 * and the AppointmentStatus search attribute.
 */
export async function appointmentWorkflow(input: AppointmentWorkflowArgs): Promise<AppointmentOutcome> {
  const { clinicId, appointmentId } = input;
  // Updates may arrive before the appointment is loaded: handlers are registered at once, their
  // validators let them through until then, and the lock (held until loaded) makes them wait.
  let loaded: AppointmentTimeline | undefined = input.timeline;
  let busy = !loaded;
  /** Set by every accepted update, so the main loop re-plans its timers. */
  let changed = false;

  const current = (): AppointmentTimeline => {
    if (!loaded) throw ApplicationFailure.nonRetryable('The appointment is still being loaded', APPOINTMENT_ERRORS.notFound);
    return loaded;
  };
  const view = (t = current()): AppointmentView => ({ status: t.status, startsAt: new Date(t.startsAt).toISOString(), endsAt: new Date(t.endsAt).toISOString() });
  const sentReminders = (t = current()) =>
    t.remindersSent.map((r) => ({ offsetMinutes: r.offsetMinutes, dueAt: new Date(r.dueAt).toISOString(), sentAt: new Date(r.sentAt).toISOString() }));

  setHandler(appointmentStateQuery, (): AppointmentWorkflowState => {
    const t = current();
    return {
      ...view(t),
      upcomingReminders: pendingReminders(t).map((r) => new Date(r.at).toISOString()),
      remindersSent: sentReminders(t),
      noShowCheckAt: t.status === 'SCHEDULED' || t.status === 'CONFIRMED' ? new Date(t.startsAt + t.noShowGraceMinutes * 60_000).toISOString() : null,
      followUpReminderAt: t.followUpReminderAt !== undefined && !t.followUpReminded ? new Date(t.followUpReminderAt).toISOString() : null,
    };
  });

  /**
   * One change at a time: a timer's no-show and a staff check-in must not both win. An activity's
   * refusal (SLOT_TAKEN, INVALID_TRANSITION) fails the update with that same type, for the API.
   */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } catch (err) {
      throw asUpdateFailure(err);
    } finally {
      busy = false;
    }
  }

  function assertAllowed(action: AppointmentAction): void {
    const why = refusal(action, current().status);
    if (why) throw ApplicationFailure.nonRetryable(why, APPOINTMENT_ERRORS.invalidTransition);
  }
  /** Validators run before anything is written to history; before loading, the handler checks instead. */
  const validate =
    <Args extends unknown[]>(action: AppointmentAction) =>
    (..._args: Args): void => {
      if (loaded) assertAllowed(action);
    };

  async function notify(kind: AppointmentMessageKind, key: string): Promise<void> {
    // The workflow's clock goes along: a local activity's context has only the worker's, and deadlines count on Temporal's.
    if (patched(LOCAL_MESSAGES_PATCH)) {
      await local.sendAppointmentMessages({ clinicId, appointmentId, kind, key, atMs: Date.now() });
      return;
    }
    const messages = await acts.createAppointmentMessages({ clinicId, appointmentId, kind, key });
    for (const { messageId, patientId } of messages) await deliverMessage(clinicId, messageId, { patientId, appointmentId });
  }

  function settle(next: AppointmentView & { followUpReminderAt?: number }): void {
    const t = current();
    const moved = Date.parse(next.startsAt) !== t.startsAt;
    loaded = {
      ...t,
      status: next.status,
      startsAt: Date.parse(next.startsAt),
      endsAt: Date.parse(next.endsAt),
      // A new time gets its own reminders; those already due at the moment of the move are skipped.
      ...(moved ? { plannedAt: Date.now(), remindersSent: [] } : {}),
      ...(next.followUpReminderAt !== undefined ? { followUpReminderAt: next.followUpReminderAt, followUpReminded: false } : {}),
    };
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.AppointmentStatus, value: loaded.status },
      { key: SEARCH_ATTRIBUTES.ScheduledStart, value: new Date(loaded.startsAt) },
    ]);
    changed = true;
  }

  /** A plain transition: validated on arrival and again once it holds the lock. */
  function transition(action: Exclude<AppointmentAction, 'reschedule' | 'noShow'>, extra: { reason?: string; completion?: CompleteArgs } = {}) {
    return exclusive(async () => {
      assertAllowed(action);
      settle(await acts.applyAppointmentTransition({ clinicId, appointmentId, action, at: Date.now(), ...extra }));
      if (action === 'cancel') await notify('cancelled', 'cancelled');
      return view();
    });
  }

  function assertStarted(t: AppointmentTimeline): void {
    if (Date.now() < t.startsAt) throw ApplicationFailure.nonRetryable('A no-show can only be recorded once the appointment has started', APPOINTMENT_ERRORS.invalidTransition);
  }

  setHandler(appointmentUpdates.confirm, () => transition('confirm'), { validator: validate('confirm') });
  setHandler(appointmentUpdates.cancel, ({ reason }: CancelArgs) => transition('cancel', { reason }), { validator: validate<[CancelArgs]>('cancel') });
  setHandler(appointmentUpdates.checkIn, () => transition('checkIn'), { validator: validate('checkIn') });
  setHandler(appointmentUpdates.start, () => transition('start'), { validator: validate('start') });
  setHandler(appointmentUpdates.complete, (completion: CompleteArgs) => transition('complete', { completion }), { validator: validate<[CompleteArgs]>('complete') });
  setHandler(
    appointmentUpdates.noShow,
    () =>
      exclusive(async () => {
        assertStarted(current());
        return markNoShow();
      }),
    {
      validator: () => {
        if (!loaded) return;
        assertAllowed('noShow');
        assertStarted(loaded);
      },
    },
  );
  setHandler(
    appointmentUpdates.reschedule,
    ({ startsAt }: RescheduleArgs) =>
      exclusive(async () => {
        assertAllowed('reschedule');
        settle(await acts.rescheduleAppointment({ clinicId, appointmentId, startsAt }));
        await notify('rescheduled', `rescheduled:${current().startsAt}`);
        return view();
      }),
    {
      validator: ({ startsAt }: RescheduleArgs) => {
        validate('reschedule')();
        if (!(Date.parse(startsAt) > Date.now())) throw ApplicationFailure.nonRetryable('The new time must be in the future', APPOINTMENT_ERRORS.notBookable);
      },
    },
  );

  /** NO_SHOW, and the practitioner and front desk are told; for callers holding the lock (staff or the grace timer). */
  async function markNoShow(): Promise<AppointmentView> {
    assertAllowed('noShow');
    settle(await acts.applyAppointmentTransition({ clinicId, appointmentId, action: 'noShow', at: Date.now() }));
    await notify('no-show', 'no-show');
    return view();
  }

  if (!loaded) {
    if (patched(LOAD_ONCE_COMMITTED_PATCH)) {
      const load = patched(LOCAL_LOAD_PATCH) ? loadCommittedTimelineLocally : loadCommittedTimeline;
      loaded = await loadOnceCommitted(() => load({ clinicId, appointmentId, at: Date.now() }), {
        notFoundType: APPOINTMENT_ERRORS.notFound,
        continueAsNew: () => continueAsNew<typeof appointmentWorkflow>({ clinicId, appointmentId }),
      });
    } else {
      loaded = await loadAppointmentTimeline({ clinicId, appointmentId, at: Date.now() }).catch(() => undefined);
    }
    if (!loaded) {
      // Never booked. Updates that were waiting fail with APPOINTMENT_NOT_FOUND when they get the lock.
      busy = false;
      await condition(allHandlersFinished);
      return { status: 'NOT_BOOKED', remindersSent: [] };
    }
    await notify('confirmation', 'confirmation');
    busy = false;
  }

  while (!isFinished(current())) {
    // Checked every turn, updates included: an appointment moved again and again must not grow its history without end.
    if (workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof appointmentWorkflow>({ clinicId, appointmentId, timeline: current() });
    }
    const step = nextStep(current());
    if (step === null) {
      await condition(() => changed);
    } else if (step.at > Date.now()) {
      await condition(() => changed, step.at - Date.now());
    }
    if (changed) {
      changed = false; // staff changed something: plan again from the new state
      continue;
    }
    if (step) {
      await exclusive(async () => {
        // Re-read under the lock: an update may have run while the timer fired.
        const now = nextStep(current());
        if (now?.kind !== step.kind || now.at !== step.at) return;
        if (step.kind === 'reminder') {
          const sentAt = Date.now();
          await notify('reminder', `reminder:${current().startsAt}:${step.offsetMinutes}`);
          loaded = { ...current(), remindersSent: [...current().remindersSent, { offsetMinutes: step.offsetMinutes, dueAt: step.at, sentAt }] };
        } else if (step.kind === 'no-show-check') {
          await markNoShow();
        } else {
          await notify('follow-up', 'follow-up');
          loaded = { ...current(), followUpReminded: true };
        }
      });
    }
  }
  await condition(allHandlersFinished);
  if (current().status === 'COMPLETED' && patched(DOCUMENTATION_DEADLINE_PATCH)) {
    // Abandoned: the deadline outlives this workflow, which ends with the visit.
    await startChild(documentationDeadlineWorkflow, { ...documentationDeadlineStart(clinicId, appointmentId), parentClosePolicy: ParentClosePolicy.ABANDON }).catch((err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    });
  }
  return { status: current().status, remindersSent: sentReminders() };
}
