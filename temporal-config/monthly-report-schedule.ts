/**
 * Each clinic's monthly owner report Schedule (monthly-report/<clinicId>): the 1st of every month at
 * 08:00 in the clinic's own time zone, e-mailing last month's report to the clinic's admins.
 * Reconciled with the database like the payment-reminder Schedules (workers/schedule-reconciler.ts).
 */
import { type Client, type ScheduleOptions, ScheduleOverlapPolicy } from '@temporalio/client';
import { applySchedule, type ScheduleWrite } from './schedule-sync';
import { SCHEDULE_IDS, SEARCH_ATTRIBUTES, TASK_QUEUES, WORKFLOW_KINDS, workflowIds } from '../domain/temporal';

export function monthlyReportSchedule(clinic: { id: string; timezone: string }): ScheduleOptions {
  return {
    scheduleId: SCHEDULE_IDS.monthlyReport(clinic.id),
    spec: { calendars: [{ dayOfMonth: 1, hour: 8, minute: 0, comment: "last month's owner report" }], timezone: clinic.timezone },
    action: {
      type: 'startWorkflow',
      workflowType: 'monthlyOwnerReportWorkflow',
      workflowId: workflowIds.monthlyOwnerReport(clinic.id),
      taskQueue: TASK_QUEUES.operations,
      args: [{ clinicId: clinic.id }],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.ClinicId, value: clinic.id },
        { key: SEARCH_ATTRIBUTES.WorkflowKind, value: WORKFLOW_KINDS.monthlyOwnerReport },
      ],
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // A platform down on the 1st still sends the report when it is back, within the first days.
      catchupWindow: '3 days',
    },
    state: { note: "Last month's report to the clinic's admins" },
  };
}

export async function saveMonthlyReportSchedule(client: Client, clinic: { id: string; timezone: string }): Promise<ScheduleWrite> {
  return (await applySchedule(client, monthlyReportSchedule(clinic))).write;
}
