import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { localDate } from '../../domain/dates';
import { type LicenseLimits, licenseStatus, usagePercent } from '../../domain/licensing';
import { licensingCheckStart } from '../../domain/temporal';
import { type LicenseAlert, type LicenseChangeRequest } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import {
  alertResponse,
  alertsQuery,
  changeRequestBody,
  changeRequestResponse,
  checkStartedResponse,
  currentLicenseResponse,
  tierResponse,
  usageQuery,
  usageResponse,
} from '../schemas/licensing';
import { idParams } from '../schemas/common';
import { writeAudit } from '../services/audit';
import { startWorkflow } from '../services/start-workflow';
import { changeSubscriptionTier, tierPrice } from '../services/clinic-billing';
import { createStripeClient } from '../payments/stripe-client';

const PERIODS = {
  daily: { unit: 'day', back: '30 days' },
  weekly: { unit: 'week', back: '12 weeks' },
  monthly: { unit: 'month', back: '12 months' },
  quarterly: { unit: 'quarter', back: '24 months' },
} as const;

interface UsagePoint {
  periodStart: Date;
  staff: number;
  patients: number;
  appointments: number;
  maxStaff: number;
  maxPatients: number;
  maxAppointmentsPerMonth: number;
}

const limitsOf = (t: LicenseLimits): LicenseLimits => ({ maxStaff: t.maxStaff, maxPatients: t.maxPatients, maxAppointmentsPerMonth: t.maxAppointmentsPerMonth });

function presentChangeRequest(c: LicenseChangeRequest) {
  return { id: c.id, kind: c.kind, fromTier: c.fromTierCode, toTier: c.toTierCode, reason: c.reason, status: c.status, requestedById: c.requestedById, createdAt: c.createdAt.toISOString() };
}

function presentAlert(a: LicenseAlert) {
  return {
    id: a.id,
    metric: a.metric,
    level: a.level,
    usage: a.usage,
    limit: a.limit,
    percent: a.percent,
    checkDate: a.checkDate.toISOString().slice(0, 10),
    workflowId: a.workflowId,
    createdAt: a.createdAt.toISOString(),
    clearedAt: a.clearedAt?.toISOString() ?? null,
  };
}

export function licensingRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const { prisma } = deps;
  const stripe = createStripeClient(deps.config);
  const requestChange = (kind: 'UPGRADE' | 'DOWNGRADE') =>
    r.route({
      method: 'post',
      path: `/${kind.toLowerCase()}`,
      summary: `Ask the billing team to ${kind.toLowerCase()} the clinic's licence tier`,
      access: 'licensing:request-change',
      tenant: true,
      body: changeRequestBody,
      responses: { 201: { description: 'Request recorded', schema: changeRequestResponse } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const created = await db.$transaction(async (tx) => {
          const clinic = await tx.clinic.findUniqueOrThrow({ where: { id: clinicId }, include: { licenseTier: true } });
          const target = await tx.licenseTier.findUniqueOrThrow({ where: { code: body.tier } });
          const ok = kind === 'UPGRADE' ? target.rank > clinic.licenseTier.rank : target.rank < clinic.licenseTier.rank;
          if (!ok) throw ApiError.unprocessable('INVALID_TIER_CHANGE', `${target.code} is not ${kind === 'UPGRADE' ? 'an upgrade' : 'a downgrade'} from ${clinic.licenseTier.code}`, [{ path: 'body.tier', message: 'wrong direction' }]);
          if (await tx.licenseChangeRequest.findFirst({ where: { status: 'PENDING' } })) {
            throw ApiError.conflict('CHANGE_REQUEST_PENDING', 'The clinic already has a tier change waiting for the billing team');
          }
          const request = await tx.licenseChangeRequest.create({
            data: { clinicId, kind, fromTierCode: clinic.licenseTier.code, toTierCode: target.code, reason: body.reason, requestedById: req.auth!.userId },
          });
          await writeAudit(tx, req, { action: `licensing.${kind.toLowerCase()}-request`, entityType: 'LicenseChangeRequest', entityId: request.id, clinicId, after: request });
          return request;
        });
        res.status(201).json(presentChangeRequest(created));
      },
    });

  r.route({
    method: 'get',
    path: '/tiers',
    summary: 'Licence tiers and their limits',
    access: 'licensing:read',
    responses: { 200: { description: 'Every tier', schema: z.array(tierResponse) } },
    handler: async (_input, _req, res) => {
      const tiers = await prisma.licenseTier.findMany({ orderBy: { rank: 'asc' } });
      res.json(tiers.map((t) => ({ code: t.code, name: t.name, limits: limitsOf(t), monthlyPrice: t.monthlyPrice.toFixed(2), currency: t.currency })));
    },
  })
    .route({
      method: 'get',
      path: '/current',
      summary: "The clinic's tier, limits and live usage",
      access: 'licensing:read',
      tenant: true,
      responses: { 200: { description: 'Current licence', schema: currentLicenseResponse } },
      handler: async (_input, req, res) => {
        const { db } = req.tenant!;
        const clinic = await db.clinic.findFirstOrThrow({ include: { licenseTier: true } });
        const [staff, patients] = await Promise.all([db.staffUser.count({ where: { active: true } }), db.patient.count({ where: { active: true } })]);
        // Appointments are not stored yet: the appointment lifecycle adds this month's count.
        const usage = { staff, patients, appointments: 0 };
        const limits = limitsOf(clinic.licenseTier);
        res.json({
          tier: { code: clinic.licenseTier.code, name: clinic.licenseTier.name },
          limits,
          usage,
          usagePercent: usagePercent(usage, limits),
          status: licenseStatus(usage, limits),
          subscriptionStatus: clinic.subscriptionStatus,
        });
      },
    })
    .route({
      method: 'get',
      path: '/usage',
      summary: 'Usage history from the daily checks: peak per day, week, month or quarter',
      access: 'licensing:read',
      tenant: true,
      query: usageQuery,
      responses: { 200: { description: 'Usage history', schema: usageResponse } },
      handler: async ({ query }, req, res) => {
        const { unit, back } = PERIODS[query.period];
        // Raw SQL is outside the tenant extension, so it filters by clinicId itself.
        const rows = await prisma.$queryRaw<UsagePoint[]>`
          SELECT date_trunc(${unit}, "date")::date AS "periodStart",
                 max("staffCount")::int AS staff, max("patientCount")::int AS patients, max("appointmentCount")::int AS appointments,
                 max("maxStaff")::int AS "maxStaff", max("maxPatients")::int AS "maxPatients", max("maxAppointmentsPerMonth")::int AS "maxAppointmentsPerMonth"
            FROM "LicenseUsage"
           WHERE "clinicId" = ${req.tenant!.clinicId}::uuid AND "date" >= (current_date - ${back}::interval)
           GROUP BY 1 ORDER BY 1`;
        res.json({
          period: query.period,
          points: rows.map((p) => ({
            periodStart: p.periodStart.toISOString().slice(0, 10),
            peak: { staff: p.staff, patients: p.patients, appointments: p.appointments },
            limits: limitsOf(p),
          })),
        });
      },
    })
    .route({
      method: 'get',
      path: '/alerts',
      summary: 'Licence alerts raised when usage crossed 80 % or 100 % of a limit',
      access: 'licensing:read',
      tenant: true,
      query: alertsQuery,
      responses: { 200: { description: 'Alerts, newest first', schema: z.array(alertResponse) } },
      handler: async ({ query }, req, res) => {
        const alerts = await req.tenant!.db.licenseAlert.findMany({
          where: query.status === 'open' ? { clearedAt: null } : {},
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: 200,
        });
        res.json(alerts.map(presentAlert));
      },
    })
    .route({
      method: 'post',
      path: '/check',
      summary: "Run the clinic's licensing check now",
      description: 'Starts (or joins, if one is running) the workflow licensing/<clinicId>/<clinic local date> and returns its id; follow it in the Temporal UI.',
      access: 'licensing:check',
      tenant: true,
      responses: { 202: { description: 'Check started', schema: checkStartedResponse } },
      handler: async (_input, req, res) => {
        const { db, clinicId } = req.tenant!;
        const clinic = await db.clinic.findFirstOrThrow({ select: { timezone: true } });
        const date = localDate(new Date(), clinic.timezone);
        const handle = await startWorkflow(
          deps,
          'licensingCheckWorkflow',
          { ...licensingCheckStart(clinicId, date), workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING },
          'The licensing check could not be started right now; try again later',
        );
        res.status(202).json({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, date });
      },
    })
    .route({
      method: 'get',
      path: '/change-requests',
      summary: "The clinic's tier change requests",
      access: 'licensing:read',
      tenant: true,
      responses: { 200: { description: 'Requests, newest first', schema: z.array(changeRequestResponse) } },
      handler: async (_input, req, res) => {
        const rows = await req.tenant!.db.licenseChangeRequest.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
        res.json(rows.map(presentChangeRequest));
      },
    });
  requestChange('UPGRADE');
  requestChange('DOWNGRADE');

  const decide = (decision: 'approve' | 'reject') =>
    r.route({
      method: 'post',
      path: `/change-requests/:id/${decision}`,
      summary: decision === 'approve' ? "Approve a tier change: the clinic's limits and its Stripe subscription follow (platform staff)" : 'Reject a tier change (platform staff)',
      access: 'clinic:manage-subscription',
      tenant: true,
      params: idParams,
      responses: {
        200: { description: 'Decided', schema: changeRequestResponse },
        404: { description: 'No such request for this clinic' },
        409: { description: 'NOT_PENDING' },
        422: { description: 'NO_TIER_PRICE: the clinic pays by Stripe and the new tier has no price' },
        503: { description: 'Stripe did not change the subscription; nothing was changed' },
      },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const decided = await db.$transaction(async (tx) => {
          const [locked] = await tx.$queryRaw<Array<{ status: string }>>`
            SELECT status::text FROM "LicenseChangeRequest" WHERE id = ${params.id}::uuid AND "clinicId" = ${clinicId}::uuid FOR UPDATE`;
          if (!locked) throw ApiError.notFound('Change request');
          if (locked.status !== 'PENDING') throw ApiError.conflict('NOT_PENDING', `The request was already ${locked.status.toLowerCase()}`);
          const request = await tx.licenseChangeRequest.update({ where: { id: params.id }, data: { status: decision === 'approve' ? 'APPROVED' : 'REJECTED', decidedAt: new Date() } });
          await writeAudit(tx, req, { action: `licensing.change-${decision === 'approve' ? 'approved' : 'rejected'}`, entityType: 'LicenseChangeRequest', entityId: request.id, clinicId, after: { status: request.status } });
          if (decision === 'approve') {
            const clinic = await tx.clinic.update({ where: { id: clinicId }, data: { licenseTierCode: request.toTierCode } });
            await writeAudit(tx, req, { action: 'clinic.tier', entityType: 'Clinic', entityId: clinicId, clinicId, before: { licenseTierCode: request.fromTierCode }, after: { licenseTierCode: request.toTierCode } });
            // Last: Stripe refusing leaves the tier and the request as they were.
            if (clinic.stripeSubscriptionId) {
              if (!stripe) throw new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Stripe is not set up on this platform');
              await changeSubscriptionTier(stripe, clinic.stripeSubscriptionId, tierPrice(deps, request.toTierCode), request.id);
            }
          }
          return request;
        });
        res.json(presentChangeRequest(decided));
      },
    });
  decide('approve');
  decide('reject');
  return r;
}

