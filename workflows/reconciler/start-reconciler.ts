import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { startMissingAppointmentWorkflows, startMissingPackageWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Run by the `start-reconciler` Schedule every minute: starts the workflow of any committed row
 * (appointment or package) that has none, so a crash between a booking's or a sale's commit and
 * its workflow's start loses nothing.
 * A minute's grace leaves rows to the request that is still starting them.
 */
export async function startReconcilerWorkflow(): Promise<{ appointmentsStarted: number; packagesStarted: number }> {
  const { started } = await startMissingAppointmentWorkflows({ graceSeconds: 60, limit: 1_000 });
  // Sold packages too (their expiry and renewals); runs that began before packages existed skip it.
  const packages = patched('reconcile-packages') ? await startMissingPackageWorkflows({ graceSeconds: 60, limit: 1_000 }) : { started: 0 };
  return { appointmentsStarted: started, packagesStarted: packages.started };
}
