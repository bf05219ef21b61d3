/** Inputs, results and queries of the licensing workflows (ids and counts only: nothing sensitive). */
import { defineQuery } from '@temporalio/workflow';
import { type AlertToRaise, type LicenseLimits, type LicenseStatus, type LicenseUsageCounts, type OpenAlert, type UsagePercent } from './licensing';

export interface LicenseSnapshot {
  clinicId: string;
  tierCode: string;
  limits: LicenseLimits;
  usage: LicenseUsageCounts;
  openAlerts: OpenAlert[];
}

export interface LicensingCheckResult {
  clinicId: string;
  date: string;
  tierCode: string;
  usage: LicenseUsageCounts;
  usagePercent: UsagePercent;
  status: LicenseStatus;
  raised: AlertToRaise[];
  cleared: OpenAlert[];
}

export type LicensingCheckState =
  | { stage: 'measuring' }
  | { stage: 'recording'; usage: LicenseUsageCounts }
  | { stage: 'done'; result: LicensingCheckResult }
  | { stage: 'skipped'; reason: 'CLINIC_NOT_FOUND' };

export const licensingCheckStateQuery = defineQuery<LicensingCheckState>('licensingCheckState');

export interface LicensingSweepInput {
  /** UTC date of the run; fixed by the first run so continued-as-new runs keep it. */
  date?: string;
  afterClinicId?: string;
  started?: number;
  skipped?: number;
  /** Clinics per run before continuing as new (default SWEEP_CLINICS_PER_RUN). */
  clinicsPerRun?: number;
}

export interface LicensingSweepResult {
  date: string;
  started: number;
  skipped: number;
}

export interface LicensingSweepProgress extends LicensingSweepResult {
  /** Last clinic handed to a check; the next page starts after it. */
  afterClinicId?: string;
}

export const licensingSweepProgressQuery = defineQuery<LicensingSweepProgress>('licensingSweepProgress');

export interface ClinicForLicensing {
  id: string;
  timezone: string;
}
