import bcrypt from 'bcryptjs';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { containsText, emailTaken, rethrowEmailTaken } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { presentStaff } from '../presenters';
import { idParams, page } from '../schemas/common';
import { createStaffBody, staffListQuery, staffResponse, updateStaffBody } from '../schemas/staff';
import { writeAudit } from '../services/audit';
import { assertRoomFor } from '../services/license-enforcement';
import { revokeAllForUser } from '../services/tokens';
import { type TenantDb } from '../../prisma/tenant';

type TenantTx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

/** A clinic must keep at least one active admin, or nobody could manage it any more. */
async function assertAnotherActiveAdmin(tx: TenantTx, staffId: string): Promise<void> {
  const others = await tx.staffUser.count({ where: { role: 'CLINIC_ADMIN', active: true, id: { not: staffId } } });
  if (others === 0) throw ApiError.conflict('LAST_ADMIN', 'The clinic needs at least one active clinic admin');
}

export function staffRoutes(r: ApiRouter, { prisma, config }: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Add a staff member to the clinic',
      access: 'staff:create',
      tenant: true,
      body: createStaffBody,
      responses: { 201: { description: 'Created', schema: staffResponse }, 402: { description: 'The licence tier allows no more active staff' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        // Emails are unique across clinics (they sign in with it), so look beyond this tenant.
        if (await prisma.staffUser.findUnique({ where: { email: body.email }, select: { id: true } })) {
          throw emailTaken();
        }
        const { password, ...fields } = body;
        const passwordHash = await bcrypt.hash(password, config.BCRYPT_COST);
        const staff = await db.$transaction(async (tx) => {
          await assertRoomFor(tx, clinicId, 'STAFF');
          const created = await tx.staffUser.create({ data: { ...fields, passwordHash, clinicId } });
          await writeAudit(tx, req, { action: 'staff.create', entityType: 'StaffUser', entityId: created.id, clinicId, after: created });
          return created;
        }).catch((err: unknown) => {
          // Another request took the email between the check above and this insert.
          rethrowEmailTaken(err);
        });
        res.status(201).json(presentStaff(staff));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's staff",
      access: 'staff:read',
      tenant: true,
      query: staffListQuery,
      responses: { 200: { description: 'A page of staff', schema: page(staffResponse) } },
      handler: async ({ query }, req, res) => {
        const contains = containsText(query.q);
        const rows = await req.tenant!.db.staffUser.findMany({
          where: {
            ...(query.role ? { role: query.role } : {}),
            ...(query.active !== undefined ? { active: query.active } : {}),
            ...(contains ? { OR: [{ firstName: contains }, { lastName: contains }, { email: contains }] } : {}),
          },
          orderBy: { id: 'asc' },
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentStaff));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a staff member',
      access: 'staff:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The staff member', schema: staffResponse } },
      handler: async ({ params }, req, res) => {
        const staff = await req.tenant!.db.staffUser.findUnique({ where: { id: params.id } });
        if (!staff) throw ApiError.notFound('Staff member');
        res.json(presentStaff(staff));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a staff member (role, contact, password, active flag)',
      access: 'staff:update',
      tenant: true,
      params: idParams,
      body: updateStaffBody,
      responses: { 200: { description: 'The changed staff member', schema: staffResponse }, 402: { description: 'Reactivating would exceed the licence' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const { password, ...fields } = body;
        if (fields.active === false && params.id === req.auth!.userId) throw ApiError.conflict('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account');
        const passwordHash = password ? await bcrypt.hash(password, config.BCRYPT_COST) : undefined;
        const staff = await db.$transaction(async (tx) => {
          const before = await tx.staffUser.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Staff member');
          if (fields.active === true && !before.active) await assertRoomFor(tx, clinicId, 'STAFF');
          const losesAdmin = before.role === 'CLINIC_ADMIN' && before.active && (fields.active === false || (fields.role && fields.role !== 'CLINIC_ADMIN'));
          if (losesAdmin) await assertAnotherActiveAdmin(tx, before.id);
          const after = await tx.staffUser.update({ where: { id: params.id }, data: { ...fields, ...(passwordHash ? { passwordHash } : {}) } });
          if (fields.active === false || passwordHash) await revokeAllForUser(tx, after.id);
          await writeAudit(tx, req, { action: 'staff.update', entityType: 'StaffUser', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentStaff(staff));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Deactivate a staff member (they can no longer sign in; history is kept)',
      access: 'staff:deactivate',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The deactivated staff member', schema: staffResponse } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        if (params.id === req.auth!.userId) throw ApiError.conflict('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account');
        const staff = await db.$transaction(async (tx) => {
          const before = await tx.staffUser.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Staff member');
          if (before.role === 'CLINIC_ADMIN' && before.active) await assertAnotherActiveAdmin(tx, before.id);
          const after = await tx.staffUser.update({ where: { id: params.id }, data: { active: false } });
          await revokeAllForUser(tx, after.id);
          await writeAudit(tx, req, { action: 'staff.deactivate', entityType: 'StaffUser', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentStaff(staff));
      },
    });
}
