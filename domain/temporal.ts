/**
 * The one place for Temporal names shared by the API (client), the worker and the workflows:
 * task queues, search attributes, workflow kinds, workflow ids and Schedule ids.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
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
  channelTest: 'channel-test',
} as const;

export const SCHEDULE_IDS = {
  licensingDaily: 'licensing-daily',
} as const;

export const workflowIds = {
  licensingCheck: (clinicId: string, date: string) => `licensing/${clinicId}/${date}`,
  licensingSweep: (date: string) => `licensing-sweep/${date}`,
  messageDelivery: (clinicId: string, messageId: string) => `message/${clinicId}/${messageId}`,
  channelTest: (clinicId: string, messageId: string) => `channel-test/${clinicId}/${messageId}`,
};

/**
 * Start options every clinic workflow shares: the operations task queue and the ClinicId and
 * WorkflowKind search attributes ops filter by in the Web UI, plus any the workflow adds.
 */
function clinicWorkflowStart<Args extends unknown[]>(
  kind: (typeof WORKFLOW_KINDS)[keyof typeof WORKFLOW_KINDS],
  workflowId: string,
  clinicId: string,
  args: Args,
  more: Array<{ key: typeof SEARCH_ATTRIBUTES.PatientId; value: string }> = [],
) {
  return {
    workflowId,
    taskQueue: TASK_QUEUES.operations,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.ClinicId, value: clinicId }, { key: SEARCH_ATTRIBUTES.WorkflowKind, value: kind }, ...more],
    args,
  };
}

/** Everything needed to start one message's delivery, shared by the API and parent workflows. */
export function messageDeliveryStart(clinicId: string, messageId: string, patientId?: string | null) {
  const patient = patientId ? [{ key: SEARCH_ATTRIBUTES.PatientId, value: patientId }] : [];
  const args: [{ clinicId: string; messageId: string }] = [{ clinicId, messageId }];
  return clinicWorkflowStart(WORKFLOW_KINDS.messageDelivery, workflowIds.messageDelivery(clinicId, messageId), clinicId, args, patient);
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
