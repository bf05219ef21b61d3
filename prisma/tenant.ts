import { type PrismaClient } from './generated/client';
import { TENANT_SCOPE_FIELD } from './tenant-models';

const WHERE_OPERATIONS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
]);
const UPDATE_OPERATIONS = new Set(['update', 'updateMany', 'updateManyAndReturn']);
/** The relation every clinicId model has to Clinic: writing it (clinic: { connect }) would bypass the column check. */
const CLINIC_RELATION = 'clinic';

export class TenantScopeViolation extends Error {
  constructor(model: string) {
    super(`A query on ${model} names another clinic than the caller's`);
  }
}

// Prisma types each operation's args differently; the extension treats them uniformly as records.
type Args = Record<string, unknown>;

/** Refuses data that names another clinic (or re-points the clinic relation): writes never leave the tenant. */
function assertOwnClinic(data: unknown, field: string, clinicId: string, model: string): Args {
  const record = (data ?? {}) as Args;
  if (record[field] !== undefined && record[field] !== clinicId) throw new TenantScopeViolation(model);
  if (field !== 'id' && record[CLINIC_RELATION] !== undefined) throw new TenantScopeViolation(model);
  return record;
}

function withScope(data: unknown, field: string, clinicId: string, model: string): Args {
  return { ...assertOwnClinic(data, field, clinicId, model), [field]: clinicId };
}

/**
 * Adds the tenant condition to the caller's filter with AND, so a filter naming another clinic
 * (or, for Clinic, another id) matches nothing instead of being rewritten to the caller's clinic.
 */
function scopedWhere(where: unknown, field: string, clinicId: string): Args {
  const w = (where ?? {}) as Args;
  const and = w.AND === undefined ? [] : Array.isArray(w.AND) ? w.AND : [w.AND];
  return { ...w, AND: [...(and as unknown[]), { [field]: clinicId }] };
}

/**
 * A Prisma client that can only see and write one clinic's rows: every query on a tenant model
 * gets `clinicId = <clinic>` added to its filter, every create gets the clinicId set. Raw SQL is
 * not covered: raw queries must filter by clinicId themselves.
 */
export function scopedToClinic(prisma: PrismaClient, clinicId: string) {
  return prisma.$extends({
    name: 'tenant-scope',
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          const field = TENANT_SCOPE_FIELD[model as keyof typeof TENANT_SCOPE_FIELD];
          if (!field) return query(args);
          const a = { ...(args as Args) };
          if (WHERE_OPERATIONS.has(operation)) {
            a.where = scopedWhere(a.where, field, clinicId);
            // Prisma looks the cursor row up without the where filter: scope it, or another clinic's id would position the page.
            if (a.cursor !== undefined) a.cursor = withScope(a.cursor, field, clinicId, model);
            if (UPDATE_OPERATIONS.has(operation)) assertOwnClinic(a.data, field, clinicId, model);
          } else if (operation === 'create') {
            a.data = withScope(a.data, field, clinicId, model);
          } else if (operation === 'createMany' || operation === 'createManyAndReturn') {
            const rows = Array.isArray(a.data) ? a.data : [a.data];
            a.data = rows.map((row) => withScope(row, field, clinicId, model));
          } else if (operation === 'upsert') {
            a.where = scopedWhere(a.where, field, clinicId);
            a.create = withScope(a.create, field, clinicId, model);
            assertOwnClinic(a.update, field, clinicId, model);
          }
          return query(a as typeof args);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof scopedToClinic>;
