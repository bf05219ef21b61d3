/** Temporal Schedules replace cron: this creates or updates every Schedule ClinicFlow relies on. */
import { type Client, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import { applySchedule, type ScheduleWrite } from '../temporal-config/schedule-sync';
import { SCHEDULE_IDS, SEARCH_ATTRIBUTES, TASK_QUEUES, WORKFLOW_KINDS } from '../domain/temporal';

export interface ScheduleSettings {
  /** UTC hour of the daily licensing sweep. */
  licensingHourUtc: number;
}

export function licensingDailySchedule(settings: ScheduleSettings): ScheduleOptions {
  return {
    scheduleId: SCHEDULE_IDS.licensingDaily,
    spec: { calendars: [{ hour: settings.licensingHourUtc, minute: 0, comment: 'daily licence usage check' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'licensingSweepWorkflow',
      // Temporal appends the scheduled time to this id, one workflow per run.
      workflowId: 'licensing-sweep',
      taskQueue: TASK_QUEUES.operations,
      args: [{}],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.WorkflowKind, value: WORKFLOW_KINDS.licensingSweep }],
    },
    policies: {
      // A sweep still running when the next is due is not doubled; a missed run is caught up within a day.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 day',
    },
    state: { note: 'Checks every clinic\'s licence usage once a day' },
  };
}

export function messagingMonitorSchedule(): ScheduleOptions {
  return {
    scheduleId: SCHEDULE_IDS.messagingMonitor,
    spec: { intervals: [{ every: '5 minutes' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'messagingMonitorWorkflow',
      workflowId: 'messaging-monitor',
      taskQueue: TASK_QUEUES.operations,
      args: [{}],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.WorkflowKind, value: WORKFLOW_KINDS.messagingMonitor }],
    },
    policies: {
      // A check missed while the worker was down is not worth catching up: the next one sees the same.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '5 minutes',
    },
    state: { note: "Probes every clinic's provider entries and raises or clears messaging alerts" },
  };
}

/** Every minute: the workflow of any committed row that has none is started (workflows/reconciler). */
export function startReconcilerSchedule(): ScheduleOptions {
  return {
    scheduleId: SCHEDULE_IDS.startReconciler,
    spec: { intervals: [{ every: '1 minute' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'startReconcilerWorkflow',
      workflowId: 'start-reconciler',
      taskQueue: TASK_QUEUES.operations,
      args: [],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.WorkflowKind, value: WORKFLOW_KINDS.startReconciler }],
    },
    // One at a time; a missed minute is not caught up: the next run finds the same rows.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    state: { note: 'Starts the workflow of committed appointments that have none' },
  };
}

/** The Schedules of the platform itself (not of one clinic). */
export function platformSchedules(settings: ScheduleSettings): ScheduleOptions[] {
  return [licensingDailySchedule(settings), startReconcilerSchedule(), messagingMonitorSchedule()];
}

/**
 * Creates missing platform Schedules and brings differing ones in line with the code, writing
 * nothing when they match. Safe to run at every start, by any number of processes at once.
 */
export async function ensureSchedules(client: Client, settings: ScheduleSettings): Promise<string[]> {
  const wanted = platformSchedules(settings);
  for (const options of wanted) await applySchedule(client, options);
  return wanted.map((s) => s.scheduleId);
}

export type { ScheduleWrite };
