import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type PaymentReminderRunInput } from '../../domain/temporal';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Patients per page, and pages per run before continuing as new. */
const PAGE_SIZE = 250;
const PAGES_PER_RUN = 10;

/**
 * A clinic's monthly payment reminders: finds the patients who owe something a page at a time
 * and starts one balance chase per patient (payment-balance/<clinicId>/<month>/<patientId>), which
 * sends the reminder and the follow-ups. Large clinics continue as new every few thousand patients.
 * Nobody is reminded twice in a run: the database keeps one row per patient and run, and Temporal
 * refuses a second chase with the same id, so a retried page or a restarted run only finds what it
 * did before. The chases are started by an activity rather than as children: a run starts
 * thousands, and a child each would put every start into this history.
 */
export async function paymentReminderRunWorkflow({ clinicId, month, after }: PaymentReminderRunInput): Promise<{ reminders: number }> {
  let cursor = after;
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const { reminders, more } = await acts.preparePaymentReminders({ clinicId, month, after: cursor, limit: PAGE_SIZE });
    if (reminders.length) await acts.startPaymentChases({ clinicId, month, reminders });
    cursor = reminders.at(-1)?.patientId ?? cursor;
    if (!more) return { reminders: await acts.finishPaymentReminderRun({ clinicId, month }) };
  }
  return continueAsNew<typeof paymentReminderRunWorkflow>({ clinicId, month, after: cursor });
}
