/**
 * Each clinic's monthly payment-reminder Schedule (payment-reminders/<clinicId>), on the clinic's
 * day and hour in its own time zone, paused while the clinic has reminders switched off. Saving a
 * clinic's notification settings and starting the stack both bring it in line with the database.
 */
import { type Client, type ScheduleOptions, ScheduleOverlapPolicy } from '@temporalio/client';
import { paymentReminderSettingsOf } from '../domain/payment-reminder-settings';
import { applySchedule, type ScheduleWrite } from './schedule-sync';
import { SCHEDULE_IDS, SEARCH_ATTRIBUTES, TASK_QUEUES, WORKFLOW_KINDS, workflowIds } from '../domain/temporal';

export interface ScheduledClinic {
  id: string;
  timezone: string;
  settings: unknown;
}

export function paymentReminderSchedule(clinic: ScheduledClinic): ScheduleOptions {
  const settings = paymentReminderSettingsOf(clinic.settings);
  return {
    scheduleId: SCHEDULE_IDS.paymentReminders(clinic.id),
    spec: {
      calendars: [{ dayOfMonth: settings.dayOfMonth, hour: settings.hour, minute: 0, comment: 'monthly payment reminders' }],
      timezone: clinic.timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledPaymentRemindersWorkflow',
      workflowId: workflowIds.scheduledPaymentReminders(clinic.id),
      taskQueue: TASK_QUEUES.operations,
      args: [{ clinicId: clinic.id }],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.ClinicId, value: clinic.id },
        { key: SEARCH_ATTRIBUTES.WorkflowKind, value: WORKFLOW_KINDS.scheduledPaymentReminders },
      ],
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // A platform down on the clinic's day still sends that month's reminders when it is back.
      catchupWindow: '3 days',
    },
    state: { paused: !settings.enabled, note: settings.enabled ? 'Monthly payment reminders' : 'Payment reminders are switched off in the clinic\'s settings' },
  };
}

/** Creates the clinic's Schedule or brings it in line with its settings (day, hour, time zone, paused); unchanged, it is not written. */
export async function savePaymentReminderSchedule(client: Client, clinic: ScheduledClinic): Promise<ScheduleWrite> {
  return (await applySchedule(client, paymentReminderSchedule(clinic))).write;
}
