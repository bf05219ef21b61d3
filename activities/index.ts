import { type PrismaClient } from '../prisma/client';
import { createLicensingActivities } from './licensing/licensing-activities';
import { createCircuitActivities } from './messaging/circuit-activities';
import { createDeliveryActivities } from './messaging/delivery-activities';
import { type MessagingDeps } from './messaging/messaging-deps';
import { createRateLimitActivities } from './messaging/rate-limit-activities';

export interface ActivityDeps extends MessagingDeps {
  prisma: PrismaClient;
}

/** Every activity of ClinicFlow, bound to its dependencies. The worker calls this once. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLicensingActivities(deps),
    ...createDeliveryActivities(deps),
    ...createCircuitActivities(deps),
    ...createRateLimitActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
