/** Temporal Schedules replace cron: this creates or updates every Schedule ClinicFlow relies on. */
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
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

/** Creates missing Schedules and brings existing ones in line with the code. Safe to run at every start. */
export async function ensureSchedules(client: Client, settings: ScheduleSettings): Promise<string[]> {
  const wanted = [licensingDailySchedule(settings), messagingMonitorSchedule()];
  for (const options of wanted) {
    const handle = client.schedule.getHandle(options.scheduleId);
    try {
      await handle.describe();
      await handle.update((current) => ({ ...current, spec: options.spec, action: options.action, policies: options.policies }));
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create(options);
    }
  }
  return wanted.map((s) => s.scheduleId);
}
