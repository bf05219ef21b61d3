import { ParentClosePolicy, patched, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { licenseStatus, planLicenseAlerts, usagePercent } from '../../domain/licensing';
import { type LicensingCheckResult, type LicensingCheckState, licensingCheckStateQuery } from '../../domain/licensing-workflow';
import { type LicensingCheckInput, messageDeliveryStart } from '../../domain/temporal';
import { messageDeliveryWorkflow } from '../messaging/message-delivery';

const { loadLicenseSnapshot, recordLicenseUsage, applyLicenseAlertPlan, createLicenceAlertMessages } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

/**
 * One clinic's daily licence check: measure usage against the tier, keep the day's figures,
 * and raise an alert the first time usage crosses 80 % or 100 % of a limit.
 */
export async function licensingCheckWorkflow({ clinicId, date }: LicensingCheckInput): Promise<LicensingCheckResult | null> {
  let state: LicensingCheckState = { stage: 'measuring' };
  setHandler(licensingCheckStateQuery, () => state);

  const snapshot = await loadLicenseSnapshot({ clinicId, date });
  if (!snapshot) {
    state = { stage: 'skipped', reason: 'CLINIC_NOT_FOUND' };
    return null;
  }
  const { usage, limits, tierCode } = snapshot;

  state = { stage: 'recording', usage };
  await recordLicenseUsage({ clinicId, date, tierCode, usage, limits });

  const plan = planLicenseAlerts(usage, limits, snapshot.openAlerts);
  if (plan.raise.length > 0 || plan.clear.length > 0) {
    await applyLicenseAlertPlan({ clinicId, date, workflowId: workflowInfo().workflowId, plan });
  }

  // Checks started before alerts were emailed replay without this step.
  if (plan.raise.length > 0 && patched('licence-alert-emails')) {
    const messageIds = await createLicenceAlertMessages({ clinicId, date, raised: plan.raise });
    for (const messageId of messageIds) {
      // Each email is delivered on its own; the check does not wait for the mail server.
      await startChild(messageDeliveryWorkflow, { ...messageDeliveryStart(clinicId, messageId), parentClosePolicy: ParentClosePolicy.ABANDON });
    }
  }

  const result: LicensingCheckResult = {
    clinicId,
    date,
    tierCode,
    usage,
    usagePercent: usagePercent(usage, limits),
    status: licenseStatus(usage, limits),
    raised: plan.raise,
    cleared: plan.clear,
  };
  state = { stage: 'done', result };
  return result;
}
