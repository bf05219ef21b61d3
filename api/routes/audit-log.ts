/**
 * GET /api/v1/audit-log: the trail of who did what (and who read which patient's record), newest
 * first. Clinic admins read their own clinic's; platform staff any clinic's, or everything.
 */
import { type Request } from 'express';
import { isPlatformRole } from '../../domain/roles';
import { type AuditLog, type Prisma } from '../../prisma/generated/client';
import { scopedToClinic } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { CLINIC_HEADER } from '../middleware/tenant';
import { type z } from '../openapi/zod';
import { auditEntryResponse, auditLogQuery } from '../schemas/audit-log';
import { page, uuid } from '../schemas/common';

const present = (e: AuditLog): z.infer<typeof auditEntryResponse> => ({
  id: e.id,
  clinicId: e.clinicId,
  actorId: e.actorId,
  actorRole: e.actorRole,
  action: e.action,
  entityType: e.entityType,
  entityId: e.entityId,
  changes: (e.changes as Record<string, unknown> | null) ?? null,
  requestId: e.requestId,
  createdAt: e.createdAt.toISOString(),
});

/**
 * The clinic whose entries the caller reads: clinic staff their own (naming another answers 404,
 * as /clinics/:clinicId does); platform staff the one named by X-Clinic-Id or ?clinicId, or, naming
 * none, every clinic's and the platform's own entries (undefined).
 */
async function clinicOf(deps: ApiDeps, req: Request, requested: string | undefined): Promise<string | undefined> {
  const auth = req.auth!;
  if (!isPlatformRole(auth.role)) {
    if (!auth.clinicId || (requested !== undefined && requested !== auth.clinicId)) throw ApiError.notFound('Clinic');
    return auth.clinicId;
  }
  const header = req.header(CLINIC_HEADER);
  if (header !== undefined && !uuid.safeParse(header).success) throw ApiError.badRequest('VALIDATION_ERROR', 'X-Clinic-Id must be a UUID');
  if (header !== undefined && requested !== undefined && header !== requested) {
    throw ApiError.badRequest('VALIDATION_ERROR', 'X-Clinic-Id and clinicId name different clinics', [{ path: 'query.clinicId', message: 'differs from X-Clinic-Id' }]);
  }
  const clinicId = header ?? requested;
  if (clinicId !== undefined && !(await deps.prisma.clinic.findUnique({ where: { id: clinicId }, select: { id: true } }))) throw ApiError.notFound('Clinic');
  return clinicId;
}

export function auditLogRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r.route({
    method: 'get',
    path: '/',
    summary: 'Read the audit trail, newest first',
    description:
      "Every change (who, what, the changed fields before and after, patient identity and health fields redacted) and every read of a patient's record, appointments, dues, credits, payments or messages (who, which patient, when; never what was seen). CLINIC_ADMIN: their clinic. SUPER_ADMIN and OPS: the clinic named by X-Clinic-Id or clinicId, or every clinic and the platform's own entries.",
    access: 'audit:read',
    query: auditLogQuery,
    responses: {
      200: { description: 'A page of entries', schema: page(auditEntryResponse) },
      404: { description: 'No such clinic (or another clinic than the caller\'s)' },
    },
    handler: async ({ query }, req, res) => {
      const clinicId = await clinicOf(deps, req, query.clinicId);
      // The tenant client also scopes the cursor row, so another clinic's entry id positions nothing.
      const where: Prisma.AuditLogWhereInput = {
        ...(query.entityType ? { entityType: query.entityType } : {}),
        ...(query.entityId ? { entityId: query.entityId } : {}),
        ...(query.actorId ? { actorId: query.actorId } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.from || query.to ? { createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
      };
      const args = { where, orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }], ...pageArgs(query.limit, query.cursor) };
      // Two calls, not one on a union of clients: the compiler cannot compare their overloads.
      const rows = clinicId ? await scopedToClinic(deps.prisma, clinicId).auditLog.findMany(args) : await deps.prisma.auditLog.findMany(args);
      res.json(toPage(rows, query.limit, present));
    },
  });
}
