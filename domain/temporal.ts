/**
 * The one place for Temporal names shared by the API (client), the worker and the workflows:
 * task queues, search attributes, workflow kinds, workflow ids and Schedule ids.
 */
import { defineSearchAttributeKey, SearchAttributeType, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { type ChannelTestInput } from './channel-test';
import { type Channel } from './messaging';

export const TASK_QUEUES = {
  /** Licensing, and every workflow of the spine until a family needs its own workers. */
  operations: 'clinicflow-operations',
} as const;

export const SEARCH_ATTRIBUTES = {
  ClinicId: defineSearchAttributeKey('ClinicId', SearchAttributeType.KEYWORD),
  WorkflowKind: defineSearchAttributeKey('WorkflowKind', SearchAttributeType.KEYWORD),
  AppointmentId: defineSearchAttributeKey('AppointmentId', SearchAttributeType.KEYWORD),
  PatientId: defineSearchAttributeKey('PatientId', SearchAttributeType.KEYWORD),
  AppointmentStatus: defineSearchAttributeKey('AppointmentStatus', SearchAttributeType.KEYWORD),
  ScheduledStart: defineSearchAttributeKey('ScheduledStart', SearchAttributeType.DATETIME),
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

export const WORKFLOW_KINDS = {
  licensingCheck: 'licensing-check',
  licensingSweep: 'licensing-sweep',
  messageDelivery: 'message-delivery',
  messageBatch: 'message-batch',
  messagingMonitor: 'messaging-monitor',
  channelTest: 'channel-test',
  appointment: 'appointment',
  rescheduleRequest: 'reschedule-request',
  paymentReminderRun: 'payment-reminder-run',
  paymentBalance: 'payment-balance',
  scheduledPaymentReminders: 'scheduled-payment-reminders',
  startReconciler: 'start-reconciler',
  reorderRequest: 'reorder-request',
  package: 'package',
  documentationDeadline: 'documentation-deadline',
  monthlyOwnerReport: 'monthly-owner-report',
} as const;

export const SCHEDULE_IDS = {
  licensingDaily: 'licensing-daily',
  startReconciler: 'start-reconciler',
  /** One per clinic, in the clinic's time zone. */
  paymentReminders: (clinicId: string) => `payment-reminders/${clinicId}`,
  /** Every 5 minutes: probes every clinic's provider entries and raises or clears messaging alerts. */
  messagingMonitor: 'messaging-monitor',
  /** One per clinic: on the 1st at 08:00 clinic time, last month's report to the clinic's admins. */
  monthlyReport: (clinicId: string) => `monthly-report/${clinicId}`,
} as const;

export const workflowIds = {
  licensingCheck: (clinicId: string, date: string) => `licensing/${clinicId}/${date}`,
  licensingSweep: (date: string) => `licensing-sweep/${date}`,
  messageDelivery: (clinicId: string, messageId: string) => `message/${clinicId}/${messageId}`,
  messageBatch: (clinicId: string, batchId: string) => `message-batch/${clinicId}/${batchId}`,
  channelTest: (clinicId: string, messageId: string) => `channel-test/${clinicId}/${messageId}`,
  appointment: (clinicId: string, appointmentId: string) => `appointment/${clinicId}/${appointmentId}`,
  rescheduleRequest: (clinicId: string, requestId: string) => `reschedule/${clinicId}/${requestId}`,
  reorderRequest: (clinicId: string, requestId: string) => `reorder/${clinicId}/${requestId}`,
  paymentReminderRun: (clinicId: string, month: string) => `payment-reminders/${clinicId}/${month}`,
  paymentBalance: (clinicId: string, month: string, patientId: string) => `payment-balance/${clinicId}/${month}/${patientId}`,
  /** Temporal appends the scheduled time to it: one starter per firing. */
  scheduledPaymentReminders: (clinicId: string) => `payment-reminders-scheduled/${clinicId}`,
  /** A patient's package or subscription, from purchase to its end. */
  package: (clinicId: string, packageId: string) => `package/${clinicId}/${packageId}`,
  /** A completed session's deadline to sign its report or record. */
  documentationDeadline: (clinicId: string, appointmentId: string) => `documentation/${clinicId}/${appointmentId}`,
  /** Temporal appends the scheduled time to it: one per firing. */
  monthlyOwnerReport: (clinicId: string) => `monthly-report/${clinicId}`,
};

/**
 * For a workflow that belongs to one row and may be started more than once (by its request, the
 * request's retry and the start reconciler): a running one is joined, a finished one is never
 * started again (WorkflowExecutionAlreadyStartedError says it was started).
 */
export const START_ONCE = { workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING, workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE } as const;

type KeywordKey = typeof SEARCH_ATTRIBUTES.PatientId;
type SearchAttributePairs = Array<{ key: KeywordKey; value: string } | { key: typeof SEARCH_ATTRIBUTES.ScheduledStart; value: Date }>;

/**
 * Start options every clinic workflow shares: the operations task queue and the ClinicId and
 * WorkflowKind search attributes ops filter by in the Web UI, plus any the workflow adds.
 */
function clinicWorkflowStart<Args extends unknown[]>(
  kind: (typeof WORKFLOW_KINDS)[keyof typeof WORKFLOW_KINDS],
  workflowId: string,
  clinicId: string,
  args: Args,
  more: SearchAttributePairs = [],
) {
  return {
    workflowId,
    taskQueue: TASK_QUEUES.operations,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.ClinicId, value: clinicId }, { key: SEARCH_ATTRIBUTES.WorkflowKind, value: kind }, ...more],
    args,
  };
}

/** Everything needed to start one message's delivery, shared by the API and parent workflows. */
export function messageDeliveryStart(clinicId: string, messageId: string, patientId?: string | null, appointmentId?: string) {
  const more: SearchAttributePairs = [
    ...(patientId ? [{ key: SEARCH_ATTRIBUTES.PatientId, value: patientId }] : []),
    // An appointment's messages show up with it when ops filter by AppointmentId.
    ...(appointmentId ? [{ key: SEARCH_ATTRIBUTES.AppointmentId, value: appointmentId }] : []),
  ];
  const args: [{ clinicId: string; messageId: string }] = [{ clinicId, messageId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.messageDelivery, workflowIds.messageDelivery(clinicId, messageId), clinicId, args, more);
}

/** Everything needed to start the deliveries of one send request (its messages were committed together). */
export function messageBatchStart(clinicId: string, batchId: string) {
  const args: [{ clinicId: string; batchId: string }] = [{ clinicId, batchId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.messageBatch, workflowIds.messageBatch(clinicId, batchId), clinicId, args);
}

/** Everything needed to start a channel test (verify the providers, then deliver the test message). */
export function channelTestStart(clinicId: string, channel: Channel, messageId: string) {
  const args: [ChannelTestInput] = [{ clinicId, channel, messageId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.channelTest, workflowIds.channelTest(clinicId, messageId), clinicId, args);
}

/** Everything needed to start one clinic's licensing check, shared by the API and the daily sweep. */
export function licensingCheckStart(clinicId: string, date: string) {
  const args: [LicensingCheckInput] = [{ clinicId, date }];
  return clinicWorkflowStart(WORKFLOW_KINDS.licensingCheck, workflowIds.licensingCheck(clinicId, date), clinicId, args);
}

export interface LicensingCheckInput {
  clinicId: string;
  /** The clinic's local calendar date the check is for (YYYY-MM-DD). */
  date: string;
}

/**
 * The API starts an appointment's (or a reschedule request's) workflow inside the transaction that
 * inserts its row, the start last: the commit follows within the transaction's own timeout (Prisma's
 * default is 5 s). A row still absent this long after the workflow chain started was rolled back.
 */
export const COMMIT_WINDOW_MS = 60_000;

export interface AppointmentWorkflowInput {
  clinicId: string;
  appointmentId: string;
}

/**
 * Everything needed to start an appointment's lifecycle workflow. Its search attributes let ops
 * find it by appointment, patient, status and start time (AppointmentStatus is kept current by the
 * workflow itself).
 */
export function appointmentStart(clinicId: string, appointment: { id: string; patientId: string; status: string; startsAt: Date }) {
  const args: [AppointmentWorkflowInput] = [{ clinicId, appointmentId: appointment.id }];
  return clinicWorkflowStart(WORKFLOW_KINDS.appointment, workflowIds.appointment(clinicId, appointment.id), clinicId, args, [
    { key: SEARCH_ATTRIBUTES.AppointmentId, value: appointment.id },
    { key: SEARCH_ATTRIBUTES.PatientId, value: appointment.patientId },
    { key: SEARCH_ATTRIBUTES.AppointmentStatus, value: appointment.status },
    { key: SEARCH_ATTRIBUTES.ScheduledStart, value: appointment.startsAt },
  ]);
}

export interface RescheduleRequestInput {
  clinicId: string;
  requestId: string;
}

export function rescheduleRequestStart(clinicId: string, request: { id: string; appointmentId: string }) {
  const args: [RescheduleRequestInput] = [{ clinicId, requestId: request.id }];
  return clinicWorkflowStart(WORKFLOW_KINDS.rescheduleRequest, workflowIds.rescheduleRequest(clinicId, request.id), clinicId, args, [
    { key: SEARCH_ATTRIBUTES.AppointmentId, value: request.appointmentId },
  ]);
}

export interface PaymentReminderRunInput {
  clinicId: string;
  /** yyyy-mm in the clinic's time zone. */
  month: string;
  /** Where the previous run of this workflow (before continue-as-new) stopped: the last patient id handled. */
  after?: string;
}

/** Everything needed to start a clinic's payment-reminder run for a month, by the API or the Schedule's starter. */
export function paymentReminderRunStart(clinicId: string, month: string) {
  const args: [PaymentReminderRunInput] = [{ clinicId, month }];
  return clinicWorkflowStart(WORKFLOW_KINDS.paymentReminderRun, workflowIds.paymentReminderRun(clinicId, month), clinicId, args);
}

export interface PaymentBalanceInput {
  clinicId: string;
  month: string;
  patientId: string;
  /** The PaymentReminder row this chase is about. */
  reminderId: string;
}

/** One patient's balance found by a run: reminded, followed up and reported until it is paid. */
export function paymentBalanceStart(input: PaymentBalanceInput) {
  const args: [PaymentBalanceInput] = [input];
  return clinicWorkflowStart(WORKFLOW_KINDS.paymentBalance, workflowIds.paymentBalance(input.clinicId, input.month, input.patientId), input.clinicId, args, [
    { key: SEARCH_ATTRIBUTES.PatientId, value: input.patientId },
  ]);
}

export interface ReorderRequestInput {
  clinicId: string;
  requestId: string;
}

/** Everything needed to start the approval of one reorder request. */
export function reorderRequestStart(clinicId: string, requestId: string) {
  const args: [ReorderRequestInput] = [{ clinicId, requestId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.reorderRequest, workflowIds.reorderRequest(clinicId, requestId), clinicId, args);
}

/** A patient's package or subscription: expiry reminder and expiry, monthly renewal with its dunning chase. */
export function packageStart(clinicId: string, pkg: { id: string; patientId: string }) {
  const args: [{ clinicId: string; packageId: string }] = [{ clinicId, packageId: pkg.id }];
  return clinicWorkflowStart(WORKFLOW_KINDS.package, workflowIds.package(clinicId, pkg.id), clinicId, args, [{ key: SEARCH_ATTRIBUTES.PatientId, value: pkg.patientId }]);
}

/**
 * A completed session's documentation deadline (domain/documentation.ts), found in the Web UI by
 * WorkflowKind = "documentation-deadline" and its AppointmentId.
 */
export function documentationDeadlineStart(clinicId: string, appointmentId: string) {
  const args: [{ clinicId: string; appointmentId: string }] = [{ clinicId, appointmentId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.documentationDeadline, workflowIds.documentationDeadline(clinicId, appointmentId), clinicId, args, [
    { key: SEARCH_ATTRIBUTES.AppointmentId, value: appointmentId },
  ]);
}
