import { savePaymentReminderSchedule, type ScheduledClinic } from '../../temporal-config/payment-reminder-schedule';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';

/**
 * Brings the clinic's payment-reminder Schedule in line, called last inside the transaction that
 * changes the clinic: a Schedule Temporal did not take rolls the change back and answers 503.
 */
export async function saveReminderScheduleOr503(deps: Pick<ApiDeps, 'temporal' | 'logger'>, clinic: ScheduledClinic): Promise<void> {
  await savePaymentReminderSchedule(deps.temporal.client, clinic).catch((err: unknown) => {
    deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message } }, 'payment-reminder Schedule not saved');
    throw new ApiError(503, 'TEMPORAL_UNAVAILABLE', 'The reminder schedule could not be saved right now; try again later; nothing was changed');
  });
}
