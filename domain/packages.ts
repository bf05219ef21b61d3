/**
 * Packages and subscriptions: the contract of the workflow
 * package/<clinicId>/<packageId> (updates, signal, query, errors), and its plan as a pure function
 * (nextPackageStep): the workflow only waits for the step's time and acts. A clinic's settings for
 * them are in package-settings.ts (zod, which the workflow sandbox never loads).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { type PackageSettings } from './package-settings';
import { type DunningStep } from './payment-reminders';

export const PACKAGE_KINDS = ['PACKAGE', 'SUBSCRIPTION'] as const;
export type PackageKind = (typeof PACKAGE_KINDS)[number];
export const PACKAGE_STATUSES = ['PENDING_PAYMENT', 'ACTIVE', 'PAUSED', 'PAST_DUE', 'EXPIRED', 'CANCELLED'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

export const DAY_MS = 86_400_000;

/** What a cancelled or missed session does to the package it was taken from. */
export function sessionOutcome(
  settings: PackageSettings,
  event: { action: 'cancel' | 'noShow' | 'complete'; at: number; startsAt: number },
): 'RETURNED' | 'USED' {
  if (event.action === 'complete') return 'USED';
  if (event.action === 'noShow') return settings.noShowUsesSession ? 'USED' : 'RETURNED';
  const early = event.startsAt - event.at >= settings.cancellationWindowHours * 3_600_000;
  return early || !settings.lateCancellationUsesSession ? 'RETURNED' : 'USED';
}

/** A subscription's next period ends one calendar month (UTC) after the current one. */
export function addMonth(instant: number): number {
  const d = new Date(instant);
  const day = d.getUTCDate();
  const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(day, lastDay));
  return next.getTime();
}

/** What the workflow knows of its package: read from the row (the database holds the truth). */
export interface PackageTimeline {
  kind: PackageKind;
  status: PackageStatus;
  /** 1 for the first month (or the whole package); each renewal adds one. */
  period: number;
  /** Epoch ms; null while unpaid. */
  periodStart: number | null;
  expiresAt: number | null;
  cancelAtPeriodEnd: boolean;
  expiryReminderSent: boolean;
  expiryReminderDays: number;
  /** The period's charge when it is still owed (PAST_DUE). */
  dueChargeId: string | null;
  createdAt: number;
}

/** The dunning chase of one unpaid renewal: when it started and how many of its steps were taken. */
export interface PackageDunning {
  chargeId: string;
  startedAt: number;
  stepsDone: number;
}

/** How long a Stripe purchase may stay unpaid before it is given up (Checkout Sessions expire within a day). */
export const PENDING_PAYMENT_MS = DAY_MS;

export type PackageStep =
  | { kind: 'done' }
  /** Nothing is due on a timer: a paused package waits for resume (or a change). */
  | { kind: 'wait' }
  | { kind: 'abandon'; at: number }
  | { kind: 'remind-expiry'; at: number }
  | { kind: 'dunning'; at: number; step: DunningStep; index: number }
  | { kind: 'expire'; at: number }
  | { kind: 'renew'; at: number }
  | { kind: 'end-unpaid'; at: number };

/** The next thing the workflow does, and when. */
export function nextPackageStep(t: PackageTimeline, dunning: PackageDunning | null, steps: DunningStep[]): PackageStep {
  if (t.status === 'EXPIRED' || t.status === 'CANCELLED') return { kind: 'done' };
  if (t.status === 'PENDING_PAYMENT') return { kind: 'abandon', at: t.createdAt + PENDING_PAYMENT_MS };
  if (t.status === 'PAUSED' || t.expiresAt === null) return { kind: 'wait' };
  const candidates: PackageStep[] = [];
  const ends = t.kind === 'PACKAGE' || t.cancelAtPeriodEnd;
  const remindAt = t.expiresAt - t.expiryReminderDays * DAY_MS;
  // Only when the package lasts longer than the notice: a week's package is not "about to expire" on day one.
  if (ends && !t.expiryReminderSent && t.periodStart !== null && remindAt > t.periodStart) candidates.push({ kind: 'remind-expiry', at: remindAt });
  if (t.status === 'PAST_DUE' && dunning && dunning.chargeId === t.dueChargeId && dunning.stepsDone < steps.length) {
    const step = steps[dunning.stepsDone]!;
    candidates.push({ kind: 'dunning', at: dunning.startedAt + step.day * DAY_MS, step, index: dunning.stepsDone });
  }
  if (ends) candidates.push({ kind: 'expire', at: t.expiresAt });
  else if (t.status === 'PAST_DUE') candidates.push({ kind: 'end-unpaid', at: t.expiresAt });
  else candidates.push({ kind: 'renew', at: t.expiresAt });
  return candidates.reduce((a, b) => ((b as { at: number }).at < (a as { at: number }).at ? b : a));
}

export interface PackageWorkflowInput {
  clinicId: string;
  packageId: string;
  /** Carried over by continue-as-new. */
  dunning?: PackageDunning | null;
}

/** What every update answers: the package as the workflow now sees it. */
export interface PackageView {
  status: PackageStatus;
  expiresAt: string | null;
  cancelAtPeriodEnd: boolean;
}

export const packageUpdates = {
  pause: defineUpdate<PackageView, []>('pause'),
  resume: defineUpdate<PackageView, []>('resume'),
  cancelAtPeriodEnd: defineUpdate<PackageView, [{ cancel: boolean }]>('cancelAtPeriodEnd'),
};

/** A payment settled the package's charge (staff recorded it, or Stripe reported it): the workflow reloads. */
export const packagePaidSignal = defineSignal('packagePaid');

export interface PackageWorkflowState extends PackageView {
  next: { kind: PackageStep['kind']; at: string | null };
  dunning: PackageDunning | null;
}
export const packageStateQuery = defineQuery<PackageWorkflowState>('packageState');

export type PackageAction = 'pause' | 'resume' | 'cancelAtPeriodEnd';

/** Why an action cannot be taken now, or null when it can. */
export function packageRefusal(action: PackageAction, t: Pick<PackageTimeline, 'kind' | 'status'>): string | null {
  if (action === 'pause') return t.status === 'ACTIVE' ? null : `A package that is ${t.status} cannot be paused`;
  if (action === 'resume') return t.status === 'PAUSED' ? null : `A package that is ${t.status} is not paused`;
  if (t.kind !== 'SUBSCRIPTION') return 'Only a subscription can be cancelled at the end of its period';
  return ['ACTIVE', 'PAUSED', 'PAST_DUE'].includes(t.status) ? null : `A subscription that is ${t.status} cannot change`;
}

/** Error types the API maps to HTTP answers (the same INVALID_TRANSITION the appointments use: 409). */
export const PACKAGE_ERRORS = { invalidTransition: 'INVALID_TRANSITION', notFound: 'PACKAGE_NOT_FOUND' } as const;
