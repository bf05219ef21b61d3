/** Licence rules shared by the API (enforcement) and the licensing workflow (alerts). Pure functions only. */

export const LICENSE_METRICS = ['STAFF', 'PATIENTS', 'APPOINTMENTS'] as const;
export type LicenseMetric = (typeof LICENSE_METRICS)[number];

export const ALERT_LEVELS = ['WARNING', 'EXCEEDED'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** Share of a limit at which each alert level is raised. */
export const ALERT_THRESHOLDS: Readonly<Record<AlertLevel, number>> = { WARNING: 0.8, EXCEEDED: 1 };

export const LICENSE_TIER_CODES = ['S', 'M', 'L', 'XL'] as const;
export type LicenseTierCode = (typeof LICENSE_TIER_CODES)[number];

export interface LicenseLimits {
  maxStaff: number;
  maxPatients: number;
  maxAppointmentsPerMonth: number;
}

export interface LicenseUsageCounts {
  staff: number;
  patients: number;
  appointments: number;
}

export type UsagePercent = Record<LicenseMetric, number>;

export function limitOf(limits: LicenseLimits, metric: LicenseMetric): number {
  switch (metric) {
    case 'STAFF':
      return limits.maxStaff;
    case 'PATIENTS':
      return limits.maxPatients;
    case 'APPOINTMENTS':
      return limits.maxAppointmentsPerMonth;
  }
}

export function usageOf(usage: LicenseUsageCounts, metric: LicenseMetric): number {
  switch (metric) {
    case 'STAFF':
      return usage.staff;
    case 'PATIENTS':
      return usage.patients;
    case 'APPOINTMENTS':
      return usage.appointments;
  }
}

/** Whole percent of the limit in use, rounded down so 79.9 % is not reported as 80 %. */
export function percentOf(used: number, limit: number): number {
  if (limit <= 0) return used > 0 ? 100 : 0;
  return Math.floor((used * 100) / limit);
}

export function usagePercent(usage: LicenseUsageCounts, limits: LicenseLimits): UsagePercent {
  const result = {} as UsagePercent;
  for (const metric of LICENSE_METRICS) result[metric] = percentOf(usageOf(usage, metric), limitOf(limits, metric));
  return result;
}

/** OK below 80 %, WARNING from 80 %, EXCEEDED at or above 100 % of any limit. */
export type LicenseStatus = 'OK' | AlertLevel;

export function reachedLevels(used: number, limit: number): AlertLevel[] {
  return ALERT_LEVELS.filter((level) => used >= ALERT_THRESHOLDS[level] * limit);
}

export function licenseStatus(usage: LicenseUsageCounts, limits: LicenseLimits): LicenseStatus {
  let status: LicenseStatus = 'OK';
  for (const metric of LICENSE_METRICS) {
    const levels = reachedLevels(usageOf(usage, metric), limitOf(limits, metric));
    if (levels.includes('EXCEEDED')) return 'EXCEEDED';
    if (levels.includes('WARNING')) status = 'WARNING';
  }
  return status;
}

/** Would adding `adding` more of `metric` go beyond the limit? Used to refuse creates with 402. */
export function wouldExceed(current: number, limit: number, adding = 1): boolean {
  return current + adding > limit;
}

export interface OpenAlert {
  metric: LicenseMetric;
  level: AlertLevel;
}

export interface AlertToRaise extends OpenAlert {
  usage: number;
  limit: number;
  percent: number;
}

export interface AlertPlan {
  raise: AlertToRaise[];
  clear: OpenAlert[];
}

/**
 * Compares today's usage with the alerts still open and decides what changes: an alert is raised
 * once when a threshold is crossed, stays open while usage stays above it, and is cleared when
 * usage falls back below it, so the next crossing raises a new alert.
 */
export function planLicenseAlerts(usage: LicenseUsageCounts, limits: LicenseLimits, open: readonly OpenAlert[]): AlertPlan {
  const plan: AlertPlan = { raise: [], clear: [] };
  for (const metric of LICENSE_METRICS) {
    const used = usageOf(usage, metric);
    const limit = limitOf(limits, metric);
    const reached = reachedLevels(used, limit);
    for (const level of ALERT_LEVELS) {
      const isOpen = open.some((a) => a.metric === metric && a.level === level);
      if (reached.includes(level) && !isOpen) {
        plan.raise.push({ metric, level, usage: used, limit, percent: percentOf(used, limit) });
      } else if (!reached.includes(level) && isOpen) {
        plan.clear.push({ metric, level });
      }
    }
  }
  return plan;
}
