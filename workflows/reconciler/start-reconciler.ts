import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { startMissingAppointmentWorkflows } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Run by the `start-reconciler` Schedule every minute: starts the workflow of any committed row
 * that has none, so a crash between a booking's commit and its workflow's start loses nothing.
 * A minute's grace leaves rows to the request that is still starting them.
 */
export async function startReconcilerWorkflow(): Promise<{ appointmentsStarted: number }> {
  const { started } = await startMissingAppointmentWorkflows({ graceSeconds: 60, limit: 1_000 });
  return { appointmentsStarted: started };
}
