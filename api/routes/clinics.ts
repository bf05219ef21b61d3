import bcrypt from 'bcryptjs';
import { type Request } from 'express';
import { can } from '../../domain/permissions';
import { isPlatformRole } from '../../domain/roles';
import { type Prisma } from '../../prisma/generated/client';
import { type ScheduledClinic } from '../../temporal-config/payment-reminder-schedule';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { presentClinic } from '../presenters';
import { clinicResponse, createClinicBody, updateClinicBody } from '../schemas/clinics';
import { clinicIdParams, listQuery, page } from '../schemas/common';
import { staffResponse } from '../schemas/staff';
import { writeAudit } from '../services/audit';
import { saveReminderScheduleOr503 } from '../services/reminder-schedule';
import { pageArgs, toPage } from '../http/pagination';
import { emailTaken, rethrowEmailTaken } from '../http/prisma-helpers';

/** Clinic staff see only their own clinic; anyone else's id answers 404, as if it did not exist. */
function assertVisible(req: Request, clinicId: string): void {
  const auth = req.auth;
  if (!auth || (!isPlatformRole(auth.role) && auth.clinicId !== clinicId)) throw ApiError.notFound('Clinic');
}

export function clinicRoutes(r: ApiRouter, { prisma, config, temporal, logger }: ApiDeps): ApiRouter {
  const saveScheduleOr503 = (clinic: ScheduledClinic) => saveReminderScheduleOr503({ temporal, logger }, clinic);
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Create a clinic and its first clinic admin',
      access: 'clinic:create',
      body: createClinicBody,
      responses: { 201: { description: 'Created', schema: clinicResponse.extend({ admin: staffResponse.pick({ id: true, email: true, role: true }) }) } },
      handler: async ({ body }, req, res) => {
        if (await prisma.staffUser.findUnique({ where: { email: body.admin.email }, select: { id: true } })) {
          throw emailTaken();
        }
        const passwordHash = await bcrypt.hash(body.admin.password, config.BCRYPT_COST);
        const { clinic, admin } = await prisma.$transaction(async (tx) => {
          const clinic = await tx.clinic.create({
            data: { name: body.name, type: body.type, timezone: body.timezone, currency: body.currency, licenseTierCode: body.licenseTier, settings: (body.settings ?? {}) as Prisma.InputJsonValue },
          });
          const admin = await tx.staffUser.create({
            data: { clinicId: clinic.id, email: body.admin.email, passwordHash, firstName: body.admin.firstName, lastName: body.admin.lastName, phone: body.admin.phone, role: 'CLINIC_ADMIN' },
          });
          await writeAudit(tx, req, { action: 'clinic.create', entityType: 'Clinic', entityId: clinic.id, clinicId: clinic.id, after: clinic });
          await writeAudit(tx, req, { action: 'staff.create', entityType: 'StaffUser', entityId: admin.id, clinicId: clinic.id, after: admin });
          // Last: a clinic starts with monthly payment reminders on its default day (or as its settings say).
          await saveScheduleOr503(clinic);
          return { clinic, admin };
        }).catch((err: unknown) => {
          // Another request took the email between the check above and this insert.
          rethrowEmailTaken(err);
        });
        res.status(201).json({ ...presentClinic(clinic), admin: { id: admin.id, email: admin.email, role: admin.role } });
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: 'List clinics (platform staff)',
      access: 'clinic:list',
      query: listQuery,
      responses: { 200: { description: 'A page of clinics', schema: page(clinicResponse) } },
      handler: async ({ query }, _req, res) => {
        const rows = await prisma.clinic.findMany({ orderBy: { id: 'asc' }, ...pageArgs(query.limit, query.cursor) });
        res.json(toPage(rows, query.limit, presentClinic));
      },
    })
    .route({
      method: 'get',
      path: '/:clinicId',
      summary: 'Read a clinic',
      access: 'clinic:read',
      params: clinicIdParams,
      responses: { 200: { description: 'The clinic', schema: clinicResponse } },
      handler: async ({ params }, req, res) => {
        assertVisible(req, params.clinicId);
        const clinic = await prisma.clinic.findUnique({ where: { id: params.clinicId } });
        if (!clinic) throw ApiError.notFound('Clinic');
        res.json(presentClinic(clinic));
      },
    })
    .route({
      method: 'patch',
      path: '/:clinicId',
      summary: 'Change a clinic (tier and subscription status: platform staff only)',
      access: 'clinic:update',
      params: clinicIdParams,
      body: updateClinicBody,
      responses: { 200: { description: 'The changed clinic', schema: clinicResponse } },
      handler: async ({ params, body }, req, res) => {
        assertVisible(req, params.clinicId);
        const auth = req.auth!;
        const { licenseTier, subscriptionStatus, settings, ...rest } = body;
        if ((licenseTier || subscriptionStatus) && !can(auth.role, 'clinic:manage-subscription')) {
          throw ApiError.forbidden('FORBIDDEN', 'Only platform staff change the licence tier or subscription status');
        }
        const updated = await prisma.$transaction(async (tx) => {
          const before = await tx.clinic.findUnique({ where: { id: params.clinicId } });
          if (!before) throw ApiError.notFound('Clinic');
          if (!isPlatformRole(auth.role) && (before.subscriptionStatus === 'SUSPENDED' || before.subscriptionStatus === 'CANCELLED')) {
            throw ApiError.forbidden('SUBSCRIPTION_INACTIVE', `The clinic's subscription is ${before.subscriptionStatus.toLowerCase()}: data can be read but not changed`);
          }
          const after = await tx.clinic.update({
            where: { id: params.clinicId },
            data: {
              ...rest,
              // Only the groups given change: new appointment settings leave the payment reminders as they were.
              ...(settings ? { settings: { ...(before.settings as Record<string, unknown>), ...settings } as Prisma.InputJsonValue } : {}),
              ...(licenseTier ? { licenseTierCode: licenseTier } : {}),
              ...(subscriptionStatus ? { subscriptionStatus } : {}),
            },
          });
          await writeAudit(tx, req, { action: 'clinic.update', entityType: 'Clinic', entityId: after.id, clinicId: after.id, before, after });
          // Reminders follow the clinic's time zone and settings.
          if (body.timezone || settings) await saveScheduleOr503(after);
          return after;
        });
        res.json(presentClinic(updated));
      },
    });
}
