/** A practitioner's working hours and own session terms (duration and price per therapy type). */
import { hoursOf, type PractitionerHours, toStoredHours } from '../../domain/availability';
import { type Prisma, type PractitionerPricing, type PractitionerSchedule } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { pricingBody, pricingParams, pricingResponse, staffIdParams, workingHoursBody, workingHoursResponse } from '../schemas/practitioners';
import { writeAudit } from '../services/audit';
import { clinicTimezone, requirePractitioner } from '../services/practitioners';

function presentHours(row: PractitionerSchedule, hours: PractitionerHours): z.infer<typeof workingHoursResponse> {
  const { timezone, weekly, breaks, exceptions, timeOff } = hours;
  return { practitionerId: row.practitionerId, timezone, followsClinicTimezone: row.timezone === null, weekly, breaks, exceptions, timeOff, updatedAt: row.updatedAt.toISOString() };
}

function presentPricing(p: PractitionerPricing & { therapyType: { name: string; currency: string } }): z.infer<typeof pricingResponse> {
  return {
    practitionerId: p.practitionerId,
    therapyTypeId: p.therapyTypeId,
    therapyTypeName: p.therapyType.name,
    durationMinutes: p.durationMinutes,
    price: p.price.toFixed(2),
    currency: p.therapyType.currency,
    updatedAt: p.updatedAt.toISOString(),
  };
}

const withType = { therapyType: { select: { name: true, currency: true } } } as const;

export function practitionerRoutes(r: ApiRouter, _deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'put',
      path: '/:staffId/working-hours',
      summary: "Set a practitioner's working hours, breaks, exceptions and time off (replaces what was there)",
      access: 'schedule:manage',
      tenant: true,
      params: staffIdParams,
      body: workingHoursBody,
      responses: { 200: { description: 'The saved hours', schema: workingHoursResponse }, 422: { description: 'The staff member is not a practitioner' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePractitioner(db, params.staffId);
        const zone = await clinicTimezone(db, clinicId);
        const { hours, issues } = toStoredHours(body, zone);
        if (issues.length > 0) {
          throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid request body', issues.map((i) => ({ path: ['body', ...i.path].join('.'), message: i.message })));
        }
        const columns = {
          timezone: body.timezone ?? null,
          weekly: hours.weekly as unknown as Prisma.InputJsonValue,
          breaks: hours.breaks as unknown as Prisma.InputJsonValue,
          exceptions: hours.exceptions as unknown as Prisma.InputJsonValue,
          timeOff: hours.timeOff as unknown as Prisma.InputJsonValue,
        };
        const saved = await db.$transaction(async (tx) => {
          const before = await tx.practitionerSchedule.findFirst({ where: { practitionerId: params.staffId } });
          const after = before
            ? await tx.practitionerSchedule.update({ where: { id: before.id }, data: columns })
            : await tx.practitionerSchedule.create({ data: { ...columns, clinicId, practitionerId: params.staffId } });
          await writeAudit(tx, req, { action: 'practitioner.workingHours.set', entityType: 'PractitionerSchedule', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentHours(saved, hours));
      },
    })
    .route({
      method: 'get',
      path: '/:staffId/working-hours',
      summary: "Read a practitioner's working hours",
      access: 'schedule:read',
      tenant: true,
      params: staffIdParams,
      responses: { 200: { description: 'The hours', schema: workingHoursResponse }, 404: { description: 'Unknown practitioner, or no hours set yet' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePractitioner(db, params.staffId);
        const row = await db.practitionerSchedule.findFirst({ where: { practitionerId: params.staffId } });
        const hours = hoursOf(row, await clinicTimezone(db, clinicId));
        if (!row || !hours) throw ApiError.notFound('Working hours');
        res.json(presentHours(row, hours));
      },
    })
    .route({
      method: 'put',
      path: '/:staffId/pricing/:therapyTypeId',
      summary: "Set a practitioner's own duration and price for a therapy type (overrides its defaults)",
      access: 'schedule:manage',
      tenant: true,
      params: pricingParams,
      body: pricingBody,
      responses: { 200: { description: 'The saved terms', schema: pricingResponse }, 422: { description: 'The staff member is not a practitioner' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePractitioner(db, params.staffId);
        const saved = await db.$transaction(async (tx) => {
          if (!(await tx.therapyType.findUnique({ where: { id: params.therapyTypeId }, select: { id: true } }))) throw ApiError.notFound('Therapy type');
          const key = { practitionerId: params.staffId, therapyTypeId: params.therapyTypeId };
          const before = await tx.practitionerPricing.findFirst({ where: key });
          const after = before
            ? await tx.practitionerPricing.update({ where: { id: before.id }, data: body, include: withType })
            : await tx.practitionerPricing.create({ data: { ...body, ...key, clinicId }, include: withType });
          const { therapyType: _type, ...row } = after;
          await writeAudit(tx, req, { action: 'practitioner.pricing.set', entityType: 'PractitionerPricing', entityId: after.id, clinicId, before, after: row });
          return after;
        });
        res.json(presentPricing(saved));
      },
    })
    .route({
      method: 'get',
      path: '/:staffId/pricing',
      summary: "A practitioner's own terms per therapy type (types without one use their defaults)",
      access: 'schedule:read',
      tenant: true,
      params: staffIdParams,
      responses: { 200: { description: 'The practitioner’s terms', schema: pricingResponse.array() } },
      handler: async ({ params }, req, res) => {
        const { db } = req.tenant!;
        await requirePractitioner(db, params.staffId);
        const rows = await db.practitionerPricing.findMany({ where: { practitionerId: params.staffId }, include: withType, orderBy: [{ therapyType: { name: 'asc' } }, { id: 'asc' }] });
        res.json(rows.map(presentPricing));
      },
    });
}
