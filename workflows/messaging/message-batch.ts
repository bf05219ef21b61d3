import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { startBatchDeliveries } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Starts the delivery of every message of one send request (message/<clinicId>/<id> each); returns how many it started. */
export async function messageBatchWorkflow({ clinicId, batchId }: { clinicId: string; batchId: string }): Promise<number> {
  return startBatchDeliveries({ clinicId, batchId });
}
