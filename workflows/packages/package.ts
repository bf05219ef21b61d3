import { ApplicationFailure, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { PackageChaseResult } from '../../activities/packages/package-activities';
import {
  nextPackageStep,
  PACKAGE_ERRORS,
  type PackageAction,
  type PackageDunning,
  packagePaidSignal,
  packageRefusal,
  packageStateQuery,
  type PackageStep,
  type PackageTimeline,
  packageUpdates,
  type PackageView,
  type PackageWorkflowInput,
} from '../../domain/packages';
import { dunningSteps, type DunningStep } from '../../domain/payment-reminders';
import { deliverMessage } from '../messaging/deliver-message';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: Object.values(PACKAGE_ERRORS) },
});

const HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW = 2_000;

export type PackageOutcome = { status: 'EXPIRED' | 'CANCELLED' };

/**
 * One patient's package or subscription, from purchase to its end. A package reminds the patient
 * before its unused sessions expire, then expires them. A subscription renews monthly (the quota
 * resets and the month is charged; unpaid, it follows the balance chase's pattern: notice,
 * follow-ups on the clinic's days, final notice to the accountants), and ends at the end of a
 * period when cancelled then, or when a month went unpaid. Staff pause and resume it (its end moves
 * by the pause) through updates; a payment of its charge is signalled. The row is the truth: the
 * workflow reloads it after every change and only keeps time.
 */
export async function packageWorkflow(input: PackageWorkflowInput): Promise<PackageOutcome> {
  const { clinicId, packageId } = input;
  let t: PackageTimeline | undefined;
  let dunning: PackageDunning | null = input.dunning ?? null;
  let steps: DunningStep[] = [];
  let busy = true;
  let changed = false;
  let next: PackageStep = { kind: 'wait' };

  const view = (x: PackageTimeline): PackageView => ({ status: x.status, expiresAt: x.expiresAt ? new Date(x.expiresAt).toISOString() : null, cancelAtPeriodEnd: x.cancelAtPeriodEnd });

  /** One change at a time: the main loop's steps and the updates' writes never interleave. */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  const steer = (action: PackageAction) => async (args?: { cancel: boolean }) =>
    exclusive(async () => {
      // Checked again now that it holds the lock: a step may have changed the state meanwhile.
      const why = t ? packageRefusal(action, t) : 'The package is still being loaded';
      if (why) throw ApplicationFailure.create({ message: why, type: PACKAGE_ERRORS.invalidTransition, nonRetryable: true });
      t = await acts.applyPackageAction({ clinicId, packageId, action, at: Date.now(), ...(args ? { cancel: args.cancel } : {}) });
      changed = true;
      return view(t);
    });
  const validate = (action: PackageAction) => () => {
    const why = t ? packageRefusal(action, t) : null;
    if (why) throw ApplicationFailure.create({ message: why, type: PACKAGE_ERRORS.invalidTransition, nonRetryable: true });
  };
  setHandler(packageUpdates.pause, () => steer('pause')(), { validator: validate('pause') });
  setHandler(packageUpdates.resume, () => steer('resume')(), { validator: validate('resume') });
  setHandler(packageUpdates.cancelAtPeriodEnd, (args: { cancel: boolean }) => steer('cancelAtPeriodEnd')(args), { validator: (_args: { cancel: boolean }) => validate('cancelAtPeriodEnd')() });
  setHandler(packagePaidSignal, () => {
    changed = true;
  });
  setHandler(packageStateQuery, () => ({
    ...(t ? view(t) : { status: 'PENDING_PAYMENT' as const, expiresAt: null, cancelAtPeriodEnd: false }),
    next: { kind: next.kind, at: 'at' in next ? new Date(next.at).toISOString() : null },
    dunning,
  }));

  async function deliver(result: PackageChaseResult | { messageIds: string[]; patientId: string | null }) {
    if ('settled' in result && result.settled) return;
    const { messageIds, patientId } = result as { messageIds: string[]; patientId: string | null };
    for (const messageId of messageIds) await deliverMessage(clinicId, messageId, { patientId });
  }

  // A change signalled from here on makes the loop read the row again (a reload clears it first).
  changed = false;
  t = await acts.loadPackageTimeline({ clinicId, packageId });
  steps = dunningSteps(await acts.packageChasePlan({ clinicId }));
  busy = false;
  const reload = () =>
    exclusive(async () => {
      changed = false;
      t = await acts.loadPackageTimeline({ clinicId, packageId });
    });

  for (;;) {
    next = nextPackageStep(t, dunning, steps);
    if (next.kind === 'done') break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE_AS_NEW) {
      await condition(() => !busy);
      return continueAsNew<typeof packageWorkflow>({ clinicId, packageId, dunning });
    }
    const step = next;
    if (step.kind === 'wait') {
      await condition(() => changed);
      await reload();
      continue;
    }
    const wait = step.at - Date.now();
    if (changed || (wait > 0 && (await condition(() => changed, wait)))) {
      // A payment or an update: read the row again and plan anew.
      await reload();
      continue;
    }
    await exclusive(async () => {
      const at = Date.now();
      switch (step.kind) {
        case 'abandon':
          t = await acts.endPackage({ clinicId, packageId, at, reason: 'abandoned' });
          break;
        case 'remind-expiry':
          await deliver(await acts.createPackageExpiryReminder({ clinicId, packageId }));
          t = await acts.loadPackageTimeline({ clinicId, packageId });
          break;
        case 'expire':
          t = await acts.endPackage({ clinicId, packageId, at, reason: t!.kind === 'PACKAGE' ? 'expired' : 'cancelled' });
          break;
        case 'end-unpaid':
          t = await acts.endPackage({ clinicId, packageId, at, reason: 'unpaid' });
          break;
        case 'renew': {
          const renewed = await acts.renewSubscription({ clinicId, packageId, period: t!.period, at });
          t = renewed.timeline;
          if (!renewed.paid) {
            dunning = { chargeId: renewed.chargeId, startedAt: at, stepsDone: 0 };
            await deliver(await acts.createPackageChaseMessage({ clinicId, packageId, chargeId: renewed.chargeId, step: null }));
          } else dunning = null;
          break;
        }
        case 'dunning': {
          const result = await acts.createPackageChaseMessage({ clinicId, packageId, chargeId: dunning!.chargeId, step: step.step });
          dunning = { ...dunning!, stepsDone: step.index + 1 };
          await deliver(result);
          t = await acts.loadPackageTimeline({ clinicId, packageId });
          break;
        }
      }
    });
  }
  return { status: t.status === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED' };
}
