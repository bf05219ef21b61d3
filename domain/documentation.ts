/**
 * The documentation deadline: after a session completes, its practitioner has the clinic's time
 * (Clinic.settings.documentation.deadlineHours, 24 h by default) to sign the session's report (or
 * treatment record). The workflow documentation/<clinicId>/<appointmentId> reminds them at
 * half-time, tells the clinic's managers and admins once when the time is up, and ends when the
 * documentationSigned signal arrives. The contract of that workflow family lives here.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import { type DocumentationSettings } from './documentation-settings';

/** When a session completed at `completedAt` must be documented. */
export const documentationDueAt = (completedAt: Date, settings: DocumentationSettings) => new Date(completedAt.getTime() + settings.deadlineHours * 3_600_000);

export interface DocumentationDeadlineInput {
  clinicId: string;
  appointmentId: string;
}

export type DocumentationOutcome = 'SIGNED' | 'SIGNED_LATE' | 'ABANDONED';

export interface DocumentationState {
  status: 'WAITING' | 'REMINDED' | 'ESCALATED' | 'SIGNED';
  dueAt: string | null;
}

export const documentationSigned = defineSignal('documentationSigned');
export const documentationStateQuery = defineQuery<DocumentationState>('documentationState');

/** After escalation the workflow still waits for the signature this long, then ends (the pending list still shows the session). */
export const WAIT_AFTER_ESCALATION_MS = 30 * 24 * 3_600_000;

export type DocumentationNotice = 'reminder' | 'overdue';
