import { type RequestHandler } from 'express';
import { type Permission, can } from '../../domain/permissions';
import { type PrismaClient } from '../../prisma/client';
import { ApiError } from '../http/api-error';
import { type TokenSettings, verifyAccessToken } from '../services/tokens';

/**
 * Requires a valid access token. The user is re-read so that deactivation or a role change
 * takes effect at once instead of when the token expires; their clinic's subscription comes with
 * them in the same query, for requireActiveSubscription.
 */
export function authenticate(prisma: PrismaClient, settings: TokenSettings): RequestHandler {
  return async (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw ApiError.unauthorized();
    const claims = verifyAccessToken(settings, token);
    if (!claims) throw ApiError.unauthorized('INVALID_TOKEN', 'The access token is invalid or expired');
    const user = await prisma.staffUser.findUnique({
      where: { id: claims.userId },
      select: { active: true, role: true, clinicId: true, clinic: { select: { subscriptionStatus: true } } },
    });
    if (!user?.active) throw ApiError.unauthorized('INVALID_TOKEN', 'The access token is invalid or expired');
    req.auth = { userId: claims.userId, role: user.role, clinicId: user.clinicId, clinicSubscriptionStatus: user.clinic?.subscriptionStatus ?? null };
    next();
  };
}

/** RBAC: the permission matrix of domain/permissions.ts decides; no role checks elsewhere. */
export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) throw ApiError.unauthorized();
    if (!can(req.auth.role, permission)) throw ApiError.forbidden('FORBIDDEN', `Your role may not ${permission.replace(':', ' ')}`);
    next();
  };
}
