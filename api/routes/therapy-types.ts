/** The clinic's catalogue of therapy types / treatments: default duration and price. */
import { type TherapyType } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { createTherapyTypeBody, therapyTypeListQuery, therapyTypeResponse, updateTherapyTypeBody } from '../schemas/therapy-types';
import { writeAudit } from '../services/audit';

export function presentTherapyType(t: TherapyType): z.infer<typeof therapyTypeResponse> {
  return {
    id: t.id,
    name: t.name,
    defaultDurationMinutes: t.defaultDurationMinutes,
    defaultPrice: t.defaultPrice.toFixed(2),
    currency: t.currency,
    active: t.active,
    categoryId: t.categoryId,
    instructions: t.instructions,
    barcode: t.barcode,
    archivedAt: t.archivedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

const nameTaken = () => ApiError.conflict('THERAPY_TYPE_EXISTS', 'The clinic already has a therapy type with this name');
// The unique index is case-sensitive; "Massage" and "massage" would confuse the front desk all the same.
const sameName = (name: string) => ({ name: { equals: name, mode: 'insensitive' as const } });
const barcodeTaken = () => ApiError.conflict('BARCODE_TAKEN', 'Another therapy type or inventory item of this clinic has this barcode');

type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

/** A barcode names one thing per clinic: a treatment or an inventory item, never both. */
async function assertBarcodeFree(tx: Tx, barcode: string | null | undefined, exceptId?: string): Promise<void> {
  if (!barcode) return;
  const [type, item] = await Promise.all([
    tx.therapyType.findFirst({ where: { barcode, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } }),
    tx.inventoryItem.findFirst({ where: { barcode }, select: { id: true } }),
  ]);
  if (type || item) throw barcodeTaken();
}

async function assertCategory(tx: Tx, categoryId: string | null | undefined): Promise<void> {
  if (!categoryId) return;
  const category = await tx.treatmentCategory.findUnique({ where: { id: categoryId }, select: { archivedAt: true } });
  if (!category) throw ApiError.notFound('Treatment category');
  if (category.archivedAt) throw ApiError.unprocessable('CATEGORY_ARCHIVED', 'The category is archived');
}

/** Which unique key a lost race hit: the name or the barcode. */
async function uniqueRefusal(tx: { therapyType: Tx['therapyType'] }, body: { name?: string; barcode?: string | null }): Promise<ApiError> {
  if (body.barcode && (await tx.therapyType.findFirst({ where: { barcode: body.barcode }, select: { id: true } }))) return barcodeTaken();
  return nameTaken();
}

export function therapyTypeRoutes(r: ApiRouter, _deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Add a therapy type (treatment) with its default duration and price',
      access: 'schedule:manage',
      tenant: true,
      body: createTherapyTypeBody,
      responses: { 201: { description: 'Created', schema: therapyTypeResponse }, 409: { description: 'A therapy type with this name exists' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const created = await db
          .$transaction(async (tx) => {
            if (await tx.therapyType.findFirst({ where: sameName(body.name), select: { id: true } })) throw nameTaken();
            await assertBarcodeFree(tx, body.barcode);
            await assertCategory(tx, body.categoryId);
            const row = await tx.therapyType.create({ data: { ...body, clinicId } });
            await writeAudit(tx, req, { action: 'therapyType.create', entityType: 'TherapyType', entityId: row.id, clinicId, after: row });
            return row;
          })
          .catch(async (err: unknown) => {
            // Another request created the same name or barcode between the check and the insert.
            throw isUniqueViolation(err) ? await uniqueRefusal(db, body) : err;
          });
        res.status(201).json(presentTherapyType(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's therapy types, by name",
      access: 'schedule:read',
      tenant: true,
      query: therapyTypeListQuery,
      responses: { 200: { description: 'A page of therapy types', schema: page(therapyTypeResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.therapyType.findMany({
          where: {
            ...(query.active !== undefined ? { active: query.active } : {}),
            ...(query.categoryId ? { categoryId: query.categoryId } : {}),
            ...(query.barcode ? { barcode: query.barcode } : {}),
            ...(query.includeArchived ? {} : { archivedAt: null }),
          },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentTherapyType));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a therapy type',
      access: 'schedule:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The therapy type', schema: therapyTypeResponse } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.therapyType.findUnique({ where: { id: params.id } });
        if (!row) throw ApiError.notFound('Therapy type');
        res.json(presentTherapyType(row));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a therapy type (name, defaults, active flag); booked sessions keep their terms',
      access: 'schedule:manage',
      tenant: true,
      params: idParams,
      body: updateTherapyTypeBody,
      responses: { 200: { description: 'The changed therapy type', schema: therapyTypeResponse }, 409: { description: 'Another therapy type has this name' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const updated = await db
          .$transaction(async (tx) => {
            const before = await tx.therapyType.findUnique({ where: { id: params.id } });
            if (!before) throw ApiError.notFound('Therapy type');
            if (before.archivedAt) throw ApiError.conflict('ARCHIVED', 'The therapy type is archived; add a new one instead');
            await assertBarcodeFree(tx, body.barcode, before.id);
            await assertCategory(tx, body.categoryId);
            if (body.name && (await tx.therapyType.findFirst({ where: { ...sameName(body.name), id: { not: before.id } }, select: { id: true } }))) throw nameTaken();
            const after = await tx.therapyType.update({ where: { id: before.id }, data: body });
            await writeAudit(tx, req, { action: 'therapyType.update', entityType: 'TherapyType', entityId: after.id, clinicId, before, after });
            return after;
          })
          .catch(async (err: unknown) => {
            throw isUniqueViolation(err) ? await uniqueRefusal(db, body) : err;
          });
        res.json(presentTherapyType(updated));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Archive a therapy type: it can no longer be booked or recorded; records and sessions that name it keep it',
      access: 'schedule:manage',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The archived therapy type', schema: therapyTypeResponse }, 404: { description: 'No such therapy type' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const archived = await db.$transaction(async (tx) => {
          const before = await tx.therapyType.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Therapy type');
          if (before.archivedAt) return before;
          const after = await tx.therapyType.update({ where: { id: before.id }, data: { archivedAt: new Date(), active: false } });
          await writeAudit(tx, req, { action: 'therapyType.archive', entityType: 'TherapyType', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentTherapyType(archived));
      },
    });
}
