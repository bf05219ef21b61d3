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

export class TenantScopeViolation extends Error {
  constructor(model: string) {
    super(`Write to ${model} names another clinic than the caller's`);
  }
}

// Prisma types each operation's args differently; the extension treats them uniformly as records.
type Args = Record<string, unknown>;

function withScope(data: unknown, field: string, clinicId: string, model: string): Args {
  const record = (data ?? {}) as Args;
  if (record[field] !== undefined && record[field] !== clinicId) throw new TenantScopeViolation(model);
  return { ...record, [field]: clinicId };
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
            a.where = { ...((a.where as Args | undefined) ?? {}), [field]: clinicId };
          } else if (operation === 'create') {
            a.data = withScope(a.data, field, clinicId, model);
          } else if (operation === 'createMany' || operation === 'createManyAndReturn') {
            const rows = Array.isArray(a.data) ? a.data : [a.data];
            a.data = rows.map((row) => withScope(row, field, clinicId, model));
          } else if (operation === 'upsert') {
            a.where = { ...((a.where as Args | undefined) ?? {}), [field]: clinicId };
            a.create = withScope(a.create, field, clinicId, model);
          }
          return query(a as typeof args);
        },
      },
    },
  });
}

export type TenantDb = ReturnType<typeof scopedToClinic>;
