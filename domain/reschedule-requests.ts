/**
 * A therapist's request to move one of their sessions, decided by the clinic's admins in the
 * workflow reschedule/<clinicId>/<requestId>: its rules and the workflow's interface.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/** Requests are made, and decided, at least this long before the session. */
export const RESCHEDULE_NOTICE_HOURS = 48;
export const RESCHEDULE_NOTICE_MS = RESCHEDULE_NOTICE_HOURS * 3_600_000;

export const RESCHEDULE_REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'] as const;
export type RescheduleRequestStatus = (typeof RESCHEDULE_REQUEST_STATUSES)[number];

/** When an undecided request expires by itself: once the session is closer than the notice. */
export const expiresAt = (appointmentStartsAt: number) => appointmentStartsAt - RESCHEDULE_NOTICE_MS;

export interface DecisionArgs {
  /** The staff member deciding (or withdrawing). */
  byId: string;
  notes?: string;
}

export const rescheduleRequestUpdates = {
  approve: defineUpdate<{ status: RescheduleRequestStatus }, [DecisionArgs]>('approve'),
  reject: defineUpdate<{ status: RescheduleRequestStatus }, [DecisionArgs]>('reject'),
  withdraw: defineUpdate<{ status: RescheduleRequestStatus }, [DecisionArgs]>('withdraw'),
};

export interface RescheduleRequestState {
  status: RescheduleRequestStatus;
  /** ISO instant; null once decided. */
  expiresAt: string | null;
}

export const rescheduleRequestStateQuery = defineQuery<RescheduleRequestState>('rescheduleRequestState');

export const RESCHEDULE_ERRORS = {
  notPending: 'NOT_PENDING',
  notFound: 'REQUEST_NOT_FOUND',
} as const;
