import { type Client } from '@temporalio/client';
import { type PrismaClient } from '../prisma/client';
import { createAppointmentActivities } from './appointments/appointment-activities';
import { createRescheduleRequestActivities } from './appointments/reschedule-request-activities';
import { createReorderRequestActivities } from './inventory/reorder-request-activities';
import { withDatabaseFailures } from './database-failures';
import { createDocumentationActivities } from './documentation/documentation-activities';
import { type PayLinkSettings } from './payments/pay-links';
import { createLicenceAlertMessageActivities } from './licensing/licence-alert-messages';
import { createLicensingActivities } from './licensing/licensing-activities';
import { createBatchActivities } from './messaging/batch-activities';
import { createChannelTestActivities } from './messaging/channel-test-activities';
import { createDeliveryActivities } from './messaging/delivery-activities';
import { createMessagingAlertActivities } from './messaging/messaging-alert-activities';
import { createProviderProbeActivities } from './messaging/provider-probe-activities';
import { type MessagingDeps } from './messaging/messaging-deps';
import { createPackageActivities } from './packages/package-activities';
import { createPaymentReminderActivities } from './payments/payment-reminder-activities';
import { createStartReconcilerActivities } from './reconciler/start-reconciler-activities';
import { createMonthlyReportActivities } from './reports/monthly-report-activities';
import { createMonthlyInvoicingActivities } from './billing/monthly-invoicing';

export interface ActivityDeps extends MessagingDeps {
  prisma: PrismaClient;
  /** Internal ops address copied on licence alerts and on alerts about the platform's own providers. */
  opsEmail?: string;
  /** For activities that steer other workflows (an approved reschedule request moves its appointment). */
  temporal: Client;
  /** The payment links in reminders. */
  payLinks: PayLinkSettings;
}

/**
 * Every activity of ClinicFlow, bound to its dependencies. The worker calls this once. Each family
 * is wrapped in withDatabaseFailures, so a query PostgreSQL refuses for good fails at once with a
 * typed non-retryable failure instead of being retried forever.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...withDatabaseFailures(createLicensingActivities(deps)),
    ...withDatabaseFailures(createLicenceAlertMessageActivities(deps)),
    ...withDatabaseFailures(createDeliveryActivities(deps)),
    ...withDatabaseFailures(createBatchActivities(deps)),
    ...withDatabaseFailures(createChannelTestActivities(deps)),
    ...withDatabaseFailures(createProviderProbeActivities(deps)),
    ...withDatabaseFailures(createMessagingAlertActivities(deps)),
    ...withDatabaseFailures(createAppointmentActivities(deps)),
    ...withDatabaseFailures(createRescheduleRequestActivities(deps)),
    ...withDatabaseFailures(createReorderRequestActivities(deps)),
    ...withDatabaseFailures(createPaymentReminderActivities(deps)),
    ...withDatabaseFailures(createStartReconcilerActivities(deps)),
    ...withDatabaseFailures(createPackageActivities(deps)),
    ...withDatabaseFailures(createDocumentationActivities(deps)),
    ...withDatabaseFailures(createMonthlyReportActivities(deps)),
    ...withDatabaseFailures(createMonthlyInvoicingActivities(deps)),
  };
}

export type Activities = ReturnType<typeof createActivities>;
