/** The clinic's package and subscription plans: defined, changed (name, covered types) and archived, never deleted. */
import { type PackagePlan } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { type TenantDb } from '../../prisma/tenant';
import { idParams, page } from '../schemas/common';
import { createPlanBody, planListQuery, planResponse, updatePlanBody } from '../schemas/packages';
import { writeAudit } from '../services/audit';

export function presentPlan(p: PackagePlan) {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    sessions: p.sessions,
    validityDays: p.validityDays,
    price: p.price.toFixed(2),
    currency: p.currency,
    therapyTypeIds: p.therapyTypeIds,
    archivedAt: p.archivedAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const nameTaken = () => ApiError.conflict('PLAN_EXISTS', 'The clinic already has a plan with this name');

/** 404 for a therapy type of another clinic, like an unknown one. */
async function assertTherapyTypes(db: TenantDb, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await db.therapyType.count({ where: { id: { in: unique } } });
  if (found !== unique.length) throw ApiError.notFound('Therapy type');
  return unique;
}

export function packagePlanRoutes(r: ApiRouter, _deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Define a package (sessions valid for some days) or a subscription (sessions a month), for the therapy types it covers',
      access: 'package:manage',
      tenant: true,
      body: createPlanBody,
      responses: { 201: { description: 'Created', schema: planResponse }, 404: { description: 'A therapy type is not the clinic\'s' }, 409: { description: 'PLAN_EXISTS' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const therapyTypeIds = await assertTherapyTypes(db, body.therapyTypeIds);
        const { currency } = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } });
        const created = await db
          .$transaction(async (tx) => {
            const row = await tx.packagePlan.create({
              data: { clinicId, name: body.name, kind: body.kind, sessions: body.sessions, validityDays: body.validityDays ?? null, price: body.price, currency, therapyTypeIds },
            });
            await writeAudit(tx, req, { action: 'packagePlan.create', entityType: 'PackagePlan', entityId: row.id, clinicId, after: row });
            return row;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.status(201).json(presentPlan(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's plans (on sale, or archived), by name",
      access: 'package:read',
      tenant: true,
      query: planListQuery,
      responses: { 200: { description: 'A page of plans', schema: page(planResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.packagePlan.findMany({
          where: { archivedAt: query.archived ? { not: null } : null },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentPlan));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a plan',
      access: 'package:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The plan', schema: planResponse }, 404: { description: 'No such plan' } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.packagePlan.findUnique({ where: { id: params.id } });
        if (!row) throw ApiError.notFound('Package plan');
        res.json(presentPlan(row));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Rename a plan or change the therapy types it covers (sold packages keep their terms; price and sessions are a new plan)',
      access: 'package:manage',
      tenant: true,
      params: idParams,
      body: updatePlanBody,
      responses: { 200: { description: 'The changed plan', schema: planResponse }, 404: { description: 'No such plan' }, 409: { description: 'PLAN_EXISTS' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const therapyTypeIds = body.therapyTypeIds ? await assertTherapyTypes(db, body.therapyTypeIds) : undefined;
        const updated = await db
          .$transaction(async (tx) => {
            const before = await tx.packagePlan.findUnique({ where: { id: params.id } });
            if (!before) throw ApiError.notFound('Package plan');
            const after = await tx.packagePlan.update({ where: { id: before.id }, data: { ...(body.name ? { name: body.name } : {}), ...(therapyTypeIds ? { therapyTypeIds } : {}) } });
            await writeAudit(tx, req, { action: 'packagePlan.update', entityType: 'PackagePlan', entityId: after.id, clinicId, before, after });
            return after;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.json(presentPlan(updated));
      },
    })
    .route({
      method: 'post',
      path: '/:id/archive',
      summary: 'Take a plan off sale; packages already sold run on',
      access: 'package:manage',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The archived plan', schema: planResponse }, 404: { description: 'No such plan' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const archived = await db.$transaction(async (tx) => {
          const before = await tx.packagePlan.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Package plan');
          if (before.archivedAt) return before;
          const after = await tx.packagePlan.update({ where: { id: before.id }, data: { archivedAt: new Date() } });
          await writeAudit(tx, req, { action: 'packagePlan.archive', entityType: 'PackagePlan', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentPlan(archived));
      },
    });
}
