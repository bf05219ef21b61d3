import { type Role } from '../../domain/roles';
import { type SubscriptionStatus } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { type OwnershipScope } from '../middleware/ownership';

export interface AuthContext {
  userId: string;
  role: Role;
  /** null for platform staff (SUPER_ADMIN, OPS). */
  clinicId: string | null;
  /** Their clinic's subscription, when read with the user by authenticate (null for platform staff): a write to their own clinic then needs no second read. */
  clinicSubscriptionStatus?: SubscriptionStatus | null;
}

export interface TenantContext {
  clinicId: string;
  /** Prisma client that only sees this clinic's rows. */
  db: TenantDb;
  /** Which of the clinic's records the caller reaches: filters to AND into queries (api/middleware/ownership.ts). */
  ownership: OwnershipScope;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    auth?: AuthContext;
    tenant?: TenantContext;
    /** The matched route's template (/api/v1/clinics/:clinicId/…), set by ApiRouter: metrics label by it. */
    routeTemplate?: string;
  }
}
