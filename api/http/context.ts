import { type Role } from '../../domain/roles';
import { type TenantDb } from '../../prisma/tenant';

export interface AuthContext {
  userId: string;
  role: Role;
  /** null for platform staff (SUPER_ADMIN, OPS). */
  clinicId: string | null;
}

export interface TenantContext {
  clinicId: string;
  /** Prisma client that only sees this clinic's rows. */
  db: TenantDb;
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
