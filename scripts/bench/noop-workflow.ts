/** The Temporal baseline's workflow: one no-op activity, nothing else. Bundled for the sandbox on its own. */
import { proxyActivities } from '@temporalio/workflow';
import type { noopActivities } from './noop-activities';

const { noop } = proxyActivities<typeof noopActivities>({ startToCloseTimeout: '30 seconds' });

export async function noopWorkflow(): Promise<void> {
  await noop();
}
