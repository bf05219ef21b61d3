import { type PrismaClient } from '../prisma/client';
import { createLicensingActivities } from './licensing/licensing-activities';

export interface ActivityDeps {
  prisma: PrismaClient;
}

/** Every activity of ClinicFlow, bound to its dependencies. The worker calls this once. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createLicensingActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
