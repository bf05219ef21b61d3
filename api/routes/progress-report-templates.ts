/** Progress report templates: a clinic's forms per therapy type (sections of text, scale, checkbox and goal fields). */
import { type ProgressReportTemplate } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { createTemplateBody, templateListQuery, templateResponse, updateTemplateBody } from '../schemas/progress-reports';
import { writeAudit } from '../services/audit';
import { type TenantDb } from '../../prisma/tenant';

export function presentTemplate(t: ProgressReportTemplate): z.infer<typeof templateResponse> {
  return { id: t.id, name: t.name, therapyTypeId: t.therapyTypeId, sections: t.sections as unknown[], active: t.active, createdAt: t.createdAt.toISOString(), updatedAt: t.updatedAt.toISOString() };
}

const nameTaken = () => ApiError.conflict('TEMPLATE_EXISTS', 'The clinic already has a report template with this name');

async function assertTherapyType(db: Pick<TenantDb, 'therapyType'>, therapyTypeId: string | null | undefined): Promise<void> {
  if (therapyTypeId && !(await db.therapyType.findUnique({ where: { id: therapyTypeId }, select: { id: true } }))) {
    throw ApiError.unprocessable('UNKNOWN_THERAPY_TYPE', 'No such therapy type in this clinic', [{ path: 'body.therapyTypeId', message: 'not found' }]);
  }
}

export function progressReportTemplateRoutes(r: ApiRouter, _deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Add a progress report template (for a therapy type or any)',
      access: 'progress-template:manage',
      tenant: true,
      body: createTemplateBody,
      responses: { 201: { description: 'Created', schema: templateResponse }, 409: { description: 'TEMPLATE_EXISTS' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await assertTherapyType(db, body.therapyTypeId);
        const created = await db
          .$transaction(async (tx) => {
            const row = await tx.progressReportTemplate.create({ data: { clinicId, name: body.name, therapyTypeId: body.therapyTypeId ?? null, sections: body.sections, createdById: req.auth!.userId } });
            await writeAudit(tx, req, { action: 'progressReportTemplate.create', entityType: 'ProgressReportTemplate', entityId: row.id, clinicId, after: row });
            return row;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.status(201).json(presentTemplate(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's report templates, by name",
      access: 'progress-template:read',
      tenant: true,
      query: templateListQuery,
      responses: { 200: { description: 'A page of templates', schema: page(templateResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.progressReportTemplate.findMany({
          where: { ...(query.active !== undefined ? { active: query.active } : {}), ...(query.therapyTypeId ? { OR: [{ therapyTypeId: query.therapyTypeId }, { therapyTypeId: null }] } : {}) },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentTemplate));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a report template',
      access: 'progress-template:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The template', schema: templateResponse } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.progressReportTemplate.findUnique({ where: { id: params.id } });
        if (!row) throw ApiError.notFound('Report template');
        res.json(presentTemplate(row));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a report template; its sections only while no report uses it',
      access: 'progress-template:manage',
      tenant: true,
      params: idParams,
      body: updateTemplateBody,
      responses: { 200: { description: 'The changed template', schema: templateResponse }, 409: { description: 'TEMPLATE_IN_USE or TEMPLATE_EXISTS' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await assertTherapyType(db, body.therapyTypeId);
        const updated = await db
          .$transaction(async (tx) => {
            const before = await tx.progressReportTemplate.findUnique({ where: { id: params.id } });
            if (!before) throw ApiError.notFound('Report template');
            if (body.sections && (await tx.progressReport.count({ where: { templateId: before.id } })) > 0) {
              throw ApiError.conflict('TEMPLATE_IN_USE', 'Reports were written on this template: archive it (active: false) and add a new one instead of changing its sections');
            }
            const after = await tx.progressReportTemplate.update({ where: { id: before.id }, data: body });
            await writeAudit(tx, req, { action: 'progressReportTemplate.update', entityType: 'ProgressReportTemplate', entityId: after.id, clinicId, before, after });
            return after;
          })
          .catch((err: unknown) => {
            throw isUniqueViolation(err) ? nameTaken() : err;
          });
        res.json(presentTemplate(updated));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a report template no report uses (one in use is archived with PATCH active: false)',
      access: 'progress-template:manage',
      tenant: true,
      params: idParams,
      responses: { 204: { description: 'Deleted' }, 409: { description: 'TEMPLATE_IN_USE' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await db.$transaction(async (tx) => {
          const before = await tx.progressReportTemplate.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Report template');
          if ((await tx.progressReport.count({ where: { templateId: before.id } })) > 0) throw ApiError.conflict('TEMPLATE_IN_USE', 'Reports were written on this template: archive it instead');
          await tx.progressReportTemplate.delete({ where: { id: before.id } });
          await writeAudit(tx, req, { action: 'progressReportTemplate.delete', entityType: 'ProgressReportTemplate', entityId: before.id, clinicId, before });
        });
        res.status(204).end();
      },
    });
}
