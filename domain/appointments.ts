/**
 * The appointment lifecycle: its states, which action may move it from which state, and the plan
 * of what the lifecycle workflow does next. Pure and Intl-only: shared by the API, the activities
 * and the workflow sandbox, so it imports no zod (the clinic's settings: appointment-settings.ts).
 */

export const APPOINTMENT_TYPES = ['CONSULTATION', 'TREATMENT', 'FOLLOW_UP', 'EMERGENCY'] as const;
export const BOOKING_MODES = ['SPECIFIC_TIME', 'TIME_PERIOD'] as const;
export const APPOINTMENT_STATUSES = ['SCHEDULED', 'CONFIRMED', 'CHECKED_IN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export type AppointmentAction = 'confirm' | 'cancel' | 'reschedule' | 'checkIn' | 'start' | 'complete' | 'noShow';

/** From which states each action may be taken, and where it leads. */
export const TRANSITIONS: Readonly<Record<AppointmentAction, { from: readonly AppointmentStatus[]; to: AppointmentStatus }>> = {
  confirm: { from: ['SCHEDULED'], to: 'CONFIRMED' },
  cancel: { from: ['SCHEDULED', 'CONFIRMED', 'CHECKED_IN'], to: 'CANCELLED' },
  // A moved appointment needs confirming again.
  reschedule: { from: ['SCHEDULED', 'CONFIRMED'], to: 'SCHEDULED' },
  checkIn: { from: ['SCHEDULED', 'CONFIRMED'], to: 'CHECKED_IN' },
  start: { from: ['CHECKED_IN'], to: 'IN_PROGRESS' },
  complete: { from: ['CHECKED_IN', 'IN_PROGRESS'], to: 'COMPLETED' },
  noShow: { from: ['SCHEDULED', 'CONFIRMED'], to: 'NO_SHOW' },
};

export const FINAL_STATUSES: readonly AppointmentStatus[] = ['COMPLETED', 'CANCELLED', 'NO_SHOW'];

/** Why an action cannot be taken now, or null when it can. */
export function refusal(action: AppointmentAction, status: AppointmentStatus): string | null {
  return TRANSITIONS[action].from.includes(status) ? null : `An appointment that is ${status} cannot be ${PAST_TENSE[action]}`;
}

const PAST_TENSE: Record<AppointmentAction, string> = {
  confirm: 'confirmed',
  cancel: 'cancelled',
  reschedule: 'rescheduled',
  checkIn: 'checked in',
  start: 'started',
  complete: 'completed',
  noShow: 'marked as a no-show',
};

// Crockford's base32 without look-alikes, as on patient cards: staff read these out on the phone.
const RESERVATION_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A reservation code such as APT-7K3M9Q2X (8 characters: 40 bits; uniqueness is the database's). */
export function reservationIdFrom(randomBytes: Uint8Array): string {
  let code = '';
  for (const byte of randomBytes.slice(0, 8)) code += RESERVATION_ALPHABET[byte % 32];
  return `APT-${code}`;
}

/** What the lifecycle workflow keeps between events: ids, times and statuses only (no patient data). */
export interface AppointmentTimeline {
  status: AppointmentStatus;
  /** Epoch milliseconds. */
  startsAt: number;
  endsAt: number;
  /** When the current start time was set (booking or the last reschedule): reminders due before it are skipped. */
  plannedAt: number;
  reminderOffsetsMinutes: number[];
  noShowGraceMinutes: number;
  /** Reminders already sent for the current start time, by offset: when due and when sent. */
  remindersSent: Array<{ offsetMinutes: number; dueAt: number; sentAt: number }>;
  /** Set by completion when a follow-up is needed: when to remind the patient to book it. */
  followUpReminderAt?: number;
  followUpReminded?: boolean;
}

export type NextStep = { kind: 'reminder'; at: number; offsetMinutes: number } | { kind: 'no-show-check'; at: number } | { kind: 'follow-up-reminder'; at: number };

/** The reminders still to come for the current start time, earliest first. */
export function pendingReminders(t: AppointmentTimeline): Array<{ at: number; offsetMinutes: number }> {
  if (t.status !== 'SCHEDULED' && t.status !== 'CONFIRMED') return [];
  return t.reminderOffsetsMinutes
    .map((offsetMinutes) => ({ offsetMinutes, at: t.startsAt - offsetMinutes * 60_000 }))
    .filter((r) => r.at > t.plannedAt && !t.remindersSent.some((s) => s.offsetMinutes === r.offsetMinutes))
    .sort((a, b) => a.at - b.at);
}

/** The next thing the workflow has to do by itself, or null when it only waits for staff. */
export function nextStep(t: AppointmentTimeline): NextStep | null {
  const steps: NextStep[] = pendingReminders(t).map((r) => ({ kind: 'reminder', ...r }));
  if (t.status === 'SCHEDULED' || t.status === 'CONFIRMED') steps.push({ kind: 'no-show-check', at: t.startsAt + t.noShowGraceMinutes * 60_000 });
  if (t.status === 'COMPLETED' && t.followUpReminderAt !== undefined && !t.followUpReminded) steps.push({ kind: 'follow-up-reminder', at: t.followUpReminderAt });
  return steps.sort((a, b) => a.at - b.at)[0] ?? null;
}

/** True once nothing can happen to the appointment any more. */
export function isFinished(t: AppointmentTimeline): boolean {
  return FINAL_STATUSES.includes(t.status) && nextStep(t) === null;
}
