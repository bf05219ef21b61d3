import { type Client } from '@temporalio/client';
import { type PrismaClient } from '../prisma/client';
import { createAppointmentActivities } from './appointments/appointment-activities';
import { createRescheduleRequestActivities } from './appointments/reschedule-request-activities';
import { type PayLinkSettings } from './payments/pay-links';
import { createLicenceAlertMessageActivities } from './licensing/licence-alert-messages';
import { createLicensingActivities } from './licensing/licensing-activities';
import { createBatchActivities } from './messaging/batch-activities';
import { createChannelTestActivities } from './messaging/channel-test-activities';
import { createDeliveryActivities } from './messaging/delivery-activities';
import { createMessagingAlertActivities } from './messaging/messaging-alert-activities';
import { createProviderProbeActivities } from './messaging/provider-probe-activities';
import { type MessagingDeps } from './messaging/messaging-deps';
import { createPaymentReminderActivities } from './payments/payment-reminder-activities';
import { createStartReconcilerActivities } from './reconciler/start-reconciler-activities';

export interface ActivityDeps extends MessagingDeps {
  prisma: PrismaClient;
  /** Internal ops address copied on licence alerts and on alerts about the platform's own providers. */
  opsEmail?: string;
  /** For activities that steer other workflows (an approved reschedule request moves its appointment). */
  temporal: Client;
  /** The payment links in reminders. */
  payLinks: PayLinkSettings;
}

/** Every activity of ClinicFlow, bound to its dependencies. The worker calls this once. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLicensingActivities(deps),
    ...createLicenceAlertMessageActivities(deps),
    ...createDeliveryActivities(deps),
    ...createBatchActivities(deps),
    ...createChannelTestActivities(deps),
    ...createProviderProbeActivities(deps),
    ...createMessagingAlertActivities(deps),
    ...createAppointmentActivities(deps),
    ...createRescheduleRequestActivities(deps),
    ...createPaymentReminderActivities(deps),
    ...createStartReconcilerActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
