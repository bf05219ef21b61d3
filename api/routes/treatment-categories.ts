/** Categories of the treatment catalogue (therapy types name one); archived rather than deleted. */
import { type TreatmentCategory } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { categoryListQuery, categoryResponse, createCategoryBody, updateCategoryBody } from '../schemas/therapy-types';
import { writeAudit } from '../services/audit';

export function presentCategory(c: TreatmentCategory): z.infer<typeof categoryResponse> {
  return { id: c.id, name: c.name, description: c.description, archivedAt: c.archivedAt?.toISOString() ?? null, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

const nameTaken = () => ApiError.conflict('CATEGORY_EXISTS', 'The clinic already has a category with this name');
const sameName = (name: string) => ({ name: { equals: name, mode: 'insensitive' as const } });

export function treatmentCategoryRoutes(r: ApiRouter, _deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Add a category to the treatment catalogue',
      access: 'schedule:manage',
      tenant: true,
      body: createCategoryBody,
      responses: { 201: { description: 'Created', schema: categoryResponse }, 409: { description: 'CATEGORY_EXISTS' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const created = await db
          .$transaction(async (tx) => {
            if (await tx.treatmentCategory.findFirst({ where: sameName(body.name), select: { id: true } })) throw nameTaken();
            const row = await tx.treatmentCategory.create({ data: { ...body, clinicId } });
            await writeAudit(tx, req, { action: 'treatmentCategory.create', entityType: 'TreatmentCategory', entityId: row.id, clinicId, after: row });
            return row;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.status(201).json(presentCategory(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the catalogue's categories, by name",
      access: 'schedule:read',
      tenant: true,
      query: categoryListQuery,
      responses: { 200: { description: 'A page of categories', schema: page(categoryResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.treatmentCategory.findMany({
          where: query.includeArchived ? {} : { archivedAt: null },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentCategory));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a category',
      access: 'schedule:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The category', schema: categoryResponse }, 404: { description: 'No such category' } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.treatmentCategory.findUnique({ where: { id: params.id } });
        if (!row) throw ApiError.notFound('Treatment category');
        res.json(presentCategory(row));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Rename or describe a category',
      access: 'schedule:manage',
      tenant: true,
      params: idParams,
      body: updateCategoryBody,
      responses: { 200: { description: 'The changed category', schema: categoryResponse }, 404: { description: 'No such category' }, 409: { description: 'CATEGORY_EXISTS, ARCHIVED' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const updated = await db
          .$transaction(async (tx) => {
            const before = await tx.treatmentCategory.findUnique({ where: { id: params.id } });
            if (!before) throw ApiError.notFound('Treatment category');
            if (before.archivedAt) throw ApiError.conflict('ARCHIVED', 'The category is archived');
            if (body.name && (await tx.treatmentCategory.findFirst({ where: { ...sameName(body.name), id: { not: before.id } }, select: { id: true } }))) throw nameTaken();
            const after = await tx.treatmentCategory.update({ where: { id: before.id }, data: body });
            await writeAudit(tx, req, { action: 'treatmentCategory.update', entityType: 'TreatmentCategory', entityId: after.id, clinicId, before, after });
            return after;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.json(presentCategory(updated));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Archive a category: no new therapy types go in it; those in it keep it',
      access: 'schedule:manage',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The archived category', schema: categoryResponse }, 404: { description: 'No such category' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const archived = await db.$transaction(async (tx) => {
          const before = await tx.treatmentCategory.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Treatment category');
          if (before.archivedAt) return before;
          const after = await tx.treatmentCategory.update({ where: { id: before.id }, data: { archivedAt: new Date() } });
          await writeAudit(tx, req, { action: 'treatmentCategory.archive', entityType: 'TreatmentCategory', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentCategory(archived));
      },
    });
}
