import { continueAsNew, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../../activities';
import { localDate } from '../../domain/dates';
import { type LicensingSweepInput, type LicensingSweepResult, licensingSweepProgressQuery } from '../../domain/licensing-workflow';
import { licensingCheckStart } from '../../domain/temporal';
import { licensingCheckWorkflow } from './licensing-check';

const { listClinicsForLicensing } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Clinics checked in parallel at a time. */
export const SWEEP_BATCH_SIZE = 50;
/** Clinics handled by one run before it continues as new, keeping each history small. */
export const SWEEP_CLINICS_PER_RUN = 1000;

/**
 * Started daily by the licensing Schedule: runs every clinic's licensing check as a child
 * workflow (id licensing/<clinicId>/<clinic's local date>), a batch at a time.
 */
export async function licensingSweepWorkflow(input: LicensingSweepInput = {}): Promise<LicensingSweepResult> {
  const now = new Date();
  const date = input.date ?? now.toISOString().slice(0, 10);
  let { afterClinicId } = input;
  let started = input.started ?? 0;
  let skipped = input.skipped ?? 0;
  let handledThisRun = 0;
  setHandler(licensingSweepProgressQuery, () => ({ date, started, skipped, afterClinicId }));
  const perRun = input.clinicsPerRun ?? SWEEP_CLINICS_PER_RUN;
  const batchSize = Math.min(SWEEP_BATCH_SIZE, perRun);

  for (;;) {
    const clinics = await listClinicsForLicensing({ afterClinicId, limit: batchSize });
    if (clinics.length === 0) break;
    const outcomes = await Promise.all(
      clinics.map(async (clinic) => {
        const start = licensingCheckStart(clinic.id, localDate(now, clinic.timezone));
        try {
          await executeChild(licensingCheckWorkflow, start);
          return 'started' as const;
        } catch (err) {
          // A check for that clinic and day is already running (started from the API): leave it be.
          if (err instanceof WorkflowExecutionAlreadyStartedError) return 'skipped' as const;
          throw err;
        }
      }),
    );
    started += outcomes.filter((o) => o === 'started').length;
    skipped += outcomes.filter((o) => o === 'skipped').length;
    afterClinicId = clinics[clinics.length - 1]?.id;
    handledThisRun += clinics.length;
    if (clinics.length < batchSize) break;
    if (handledThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof licensingSweepWorkflow>({ date, afterClinicId, started, skipped, clinicsPerRun: input.clinicsPerRun });
    }
  }
  return { date, started, skipped };
}
