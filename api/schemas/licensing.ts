import { LICENSE_METRICS, LICENSE_TIER_CODES } from '../../domain/licensing';
import { z } from '../openapi/zod';
import { text } from '../../domain/text';

const limits = z.object({ maxStaff: z.number().int(), maxPatients: z.number().int(), maxAppointmentsPerMonth: z.number().int() });
const counts = z.object({ staff: z.number().int(), patients: z.number().int(), appointments: z.number().int() });

export const tierResponse = z
  .object({ code: z.enum(LICENSE_TIER_CODES), name: text(), limits, monthlyPrice: text(), currency: text() })
  .openapi('LicenseTier');

export const currentLicenseResponse = z
  .object({
    tier: z.object({ code: text(), name: text() }),
    limits,
    usage: counts,
    usagePercent: z.object({ STAFF: z.number(), PATIENTS: z.number(), APPOINTMENTS: z.number() }),
    status: z.enum(['OK', 'WARNING', 'EXCEEDED']),
    subscriptionStatus: text(),
  })
  .openapi('CurrentLicense');

export const usageQuery = z.object({ period: z.enum(['daily', 'weekly', 'monthly', 'quarterly']).default('daily') });

export const usageResponse = z
  .object({
    period: z.enum(['daily', 'weekly', 'monthly', 'quarterly']),
    points: z.array(z.object({ periodStart: text(), peak: counts, limits })),
  })
  .openapi('LicenseUsageHistory');

export const alertsQuery = z.object({ status: z.enum(['open', 'all']).default('all') });

export const alertResponse = z
  .object({
    id: z.uuid(),
    metric: z.enum(LICENSE_METRICS),
    level: z.enum(['WARNING', 'EXCEEDED']),
    usage: z.number().int(),
    limit: z.number().int(),
    percent: z.number().int(),
    checkDate: text(),
    workflowId: text(),
    createdAt: text(),
    clearedAt: text().nullable(),
  })
  .openapi('LicenseAlert');

export const checkStartedResponse = z.object({ workflowId: text(), runId: text(), date: text() }).openapi('LicensingCheckStarted');

export const changeRequestBody = z.object({ tier: z.enum(LICENSE_TIER_CODES), reason: text().trim().max(1000).optional() }).openapi('LicenseChangeRequestBody');

export const changeRequestResponse = z
  .object({
    id: z.uuid(),
    kind: z.enum(['UPGRADE', 'DOWNGRADE']),
    fromTier: text(),
    toTier: text(),
    reason: text().nullable(),
    status: z.enum(['PENDING', 'APPROVED', 'REJECTED']),
    requestedById: z.uuid(),
    createdAt: text(),
  })
  .openapi('LicenseChangeRequest');
