/**
 * The appointment lifecycle workflow's interface: the updates staff send it through the API, its
 * state query and its result. Updates validate before they are accepted, so an action that does not
 * fit the appointment's state is refused without touching its history.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type AppointmentStatus } from './appointments';

/** What every update answers: the appointment as the workflow now sees it. */
export interface AppointmentView {
  status: AppointmentStatus;
  startsAt: string;
  endsAt: string;
}

export interface CancelArgs {
  reason: string;
}
export interface RescheduleArgs {
  /** ISO instant. */
  startsAt: string;
}
export interface CompleteArgs {
  followUpRequired?: boolean;
  /** YYYY-MM-DD, the suggested date of the follow-up visit. */
  followUpDate?: string;
  notes?: string;
}

export const appointmentUpdates = {
  confirm: defineUpdate<AppointmentView, []>('confirm'),
  cancel: defineUpdate<AppointmentView, [CancelArgs]>('cancel'),
  reschedule: defineUpdate<AppointmentView, [RescheduleArgs]>('reschedule'),
  checkIn: defineUpdate<AppointmentView, []>('checkIn'),
  start: defineUpdate<AppointmentView, []>('start'),
  complete: defineUpdate<AppointmentView, [CompleteArgs]>('complete'),
  noShow: defineUpdate<AppointmentView, []>('noShow'),
};

export interface AppointmentWorkflowState extends AppointmentView {
  /** Reminders still to be sent for the current time, ISO instants. */
  upcomingReminders: string[];
  remindersSent: SentReminder[];
  /** When a missing check-in turns the appointment into a no-show. */
  noShowCheckAt: string | null;
  followUpReminderAt: string | null;
}

export const appointmentStateQuery = defineQuery<AppointmentWorkflowState>('appointmentState');

/** Error types the API maps to HTTP answers. */
export const APPOINTMENT_ERRORS = {
  invalidTransition: 'INVALID_TRANSITION',
  slotTaken: 'SLOT_TAKEN',
  notBookable: 'NOT_BOOKABLE',
  notFound: 'APPOINTMENT_NOT_FOUND',
} as const;

export interface AppointmentOutcome {
  status: AppointmentStatus | 'NOT_BOOKED';
  /** Reminders sent for the final start time. */
  remindersSent: SentReminder[];
}

/** A reminder: when it was due (start minus offset) and when the workflow sent it, by its clock. */
export interface SentReminder {
  offsetMinutes: number;
  dueAt: string;
  sentAt: string;
}

/** The events of an appointment its patient (or, for a no-show, the practitioner and front desk) is told of. */
export type AppointmentMessageKind = 'confirmation' | 'reminder' | 'rescheduled' | 'cancelled' | 'follow-up' | 'no-show';

/** What the workflow asks to be written for one event; `key` makes the message ids, so a retry writes nothing twice. */
export interface AppointmentMessagesInput {
  clinicId: string;
  appointmentId: string;
  kind: AppointmentMessageKind;
  key: string;
  /** The workflow's time of the event (Temporal's clock), which deadlines count from; absent in runs from before it was passed. */
  atMs?: number;
}
