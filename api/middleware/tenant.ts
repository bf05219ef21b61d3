import { type RequestHandler } from 'express';
import { isPlatformRole } from '../../domain/roles';
import { type PrismaClient } from '../../prisma/client';
import { scopedToClinic } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';
import { uuid } from '../schemas/common';
import { ownershipScope } from './ownership';

export const CLINIC_HEADER = 'x-clinic-id';

/**
 * Decides which clinic a request acts on: the clinic in the path (/clinics/:clinicId/…), which
 * clinic staff may only name for their own clinic (another clinic answers 404); otherwise clinic
 * staff act on their own clinic and platform staff name one with X-Clinic-Id. From here on
 * handlers use req.tenant.db, which cannot reach another clinic's rows, and req.tenant.ownership,
 * which narrows a practitioner to their own appointments and patients.
 */
export function resolveTenant(prisma: PrismaClient): RequestHandler {
  return async (req, _res, next) => {
    const auth = req.auth;
    if (!auth) throw ApiError.unauthorized();
    let clinicId = auth.clinicId;
    const inPath = req.params.clinicId;
    if (typeof inPath === 'string') {
      if (!uuid.safeParse(inPath).success) throw ApiError.badRequest('VALIDATION_ERROR', 'clinicId must be a UUID');
      if (!isPlatformRole(auth.role) && inPath !== auth.clinicId) throw ApiError.notFound('Clinic');
      if (!(await prisma.clinic.findUnique({ where: { id: inPath }, select: { id: true } }))) throw ApiError.notFound('Clinic');
      clinicId = inPath;
    } else if (isPlatformRole(auth.role)) {
      const header = req.header(CLINIC_HEADER);
      if (!header) throw ApiError.badRequest('CLINIC_REQUIRED', 'Platform staff must name the clinic with the X-Clinic-Id header');
      if (!uuid.safeParse(header).success) throw ApiError.badRequest('VALIDATION_ERROR', 'X-Clinic-Id must be a UUID');
      if (!(await prisma.clinic.findUnique({ where: { id: header }, select: { id: true } }))) throw ApiError.notFound('Clinic');
      clinicId = header;
    }
    if (!clinicId) throw ApiError.forbidden();
    req.tenant = { clinicId, db: scopedToClinic(prisma, clinicId), ownership: ownershipScope(auth) };
    next();
  };
}

const INACTIVE = new Set(['SUSPENDED', 'CANCELLED']);

/** A suspended or cancelled clinic keeps read access but cannot change anything. */
export function requireActiveSubscription(prisma: PrismaClient): RequestHandler {
  return async (req, _res, next) => {
    if (!req.tenant) throw ApiError.forbidden();
    // Clinic staff acting on their own clinic: read with the user (authenticate). Platform staff: read here.
    const own = req.auth?.clinicId === req.tenant.clinicId ? req.auth.clinicSubscriptionStatus : null;
    const status = own ?? (await prisma.clinic.findUnique({ where: { id: req.tenant.clinicId }, select: { subscriptionStatus: true } }))?.subscriptionStatus;
    if (!status) throw ApiError.notFound('Clinic');
    if (INACTIVE.has(status)) {
      throw ApiError.forbidden('SUBSCRIPTION_INACTIVE', `The clinic's subscription is ${status.toLowerCase()}: data can be read but not changed`);
    }
    next();
  };
}
