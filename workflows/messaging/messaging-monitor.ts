import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { deliverMessage } from './deliver-message';

const { listClinicsForMonitoring, evaluateMessagingAlerts } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});
// A probe verifies every entry with a 15 s timeout each, in parallel; a failed probe run is not retried
// for long, the next firing in 5 minutes probes again.
const { probeClinicProviders } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 2 } });

/** Clinics handled in parallel at a time. */
export const MONITOR_BATCH_SIZE = 20;
/** Clinics handled by one run before it continues as new, keeping each history small. */
export const MONITOR_CLINICS_PER_RUN = 500;

export interface MessagingMonitorInput {
  afterClinicId?: string;
  clinicsPerRun?: number;
  checked?: number;
  raised?: number;
  resolved?: number;
}

export interface MessagingMonitorResult {
  checked: number;
  raised: number;
  resolved: number;
}

/**
 * Started every 5 minutes by the messaging-monitor Schedule: per clinic, probes each serving
 * provider entry (verify(): nothing sent), then raises or resolves its messaging alerts and
 * delivers one message per alert and admin as a child workflow. One clinic's failure fails the
 * run in the Temporal UI; the next firing covers every clinic again.
 */
export async function messagingMonitorWorkflow(input: MessagingMonitorInput = {}): Promise<MessagingMonitorResult> {
  let { afterClinicId } = input;
  let checked = input.checked ?? 0;
  let raised = input.raised ?? 0;
  let resolved = input.resolved ?? 0;
  let handledThisRun = 0;
  const perRun = input.clinicsPerRun ?? MONITOR_CLINICS_PER_RUN;
  const batchSize = Math.min(MONITOR_BATCH_SIZE, perRun);

  for (;;) {
    const clinics = await listClinicsForMonitoring({ afterClinicId, limit: batchSize });
    if (clinics.length === 0) break;
    await Promise.all(
      clinics.map(async ({ id: clinicId }) => {
        await probeClinicProviders({ clinicId });
        const outcome = await evaluateMessagingAlerts({ clinicId });
        raised += outcome.raised;
        resolved += outcome.resolved;
        for (const messageId of outcome.messageIds) await deliverMessage(clinicId, messageId);
      }),
    );
    checked += clinics.length;
    handledThisRun += clinics.length;
    afterClinicId = clinics[clinics.length - 1]?.id;
    if (clinics.length < batchSize) break;
    if (handledThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof messagingMonitorWorkflow>({ afterClinicId, clinicsPerRun: input.clinicsPerRun, checked, raised, resolved });
    }
  }
  return { checked, raised, resolved };
}
