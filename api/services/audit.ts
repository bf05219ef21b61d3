import { type Request } from 'express';
import { type Prisma } from '../../prisma/generated/client';

/** Fields never copied into the audit trail. */
const NEVER_AUDITED = new Set(['passwordHash', 'tokenHash']);

/**
 * Patient health and identity data: the audit trail records that such a field changed, and who
 * changed it, but not its values, so the trail can be shared with auditors without exposing PHI.
 */
const PHI_FIELDS = new Set(['firstName', 'lastName', 'dateOfBirth', 'gender', 'email', 'phone', 'guardianName', 'guardianRelationship', 'guardianPhone', 'guardianEmail', 'allergies', 'medications', 'medicalNotes', 'address', 'emergencyContact']);
export const REDACTED = '[redacted]';

type Row = Record<string, unknown>;

function comparable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object' && 'toFixed' in value) return String(value); // Decimal
  return value;
}

/** The fields that changed, as {before, after}; creations have only `after`, deletions only `before`. */
export function diffForAudit(before: Row | null, after: Row | null, redactPhi = false): { before?: Row; after?: Row } {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const b: Row = {};
  const a: Row = {};
  for (const key of keys) {
    if (NEVER_AUDITED.has(key) || key === 'updatedAt') continue;
    const prev = comparable(before?.[key]);
    const next = comparable(after?.[key]);
    if (JSON.stringify(prev) === JSON.stringify(next)) continue;
    const hide = redactPhi && PHI_FIELDS.has(key);
    if (before) b[key] = hide ? REDACTED : (prev ?? null);
    if (after) a[key] = hide ? REDACTED : (next ?? null);
  }
  return { ...(before ? { before: b } : {}), ...(after ? { after: a } : {}) };
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  clinicId: string | null;
  before?: object | null;
  after?: object | null;
  /** Who acted, when the request is not signed in yet (the code step of a sign-in). Default: req.auth. */
  actor?: { userId: string; role: NonNullable<Request['auth']>['role'] };
}

/** Writes one audit row, normally inside the same transaction as the change it describes. */
/** Any client that can create audit rows: the root client, a tenant-scoped one, or a transaction of either. */
export interface AuditWriter {
  auditLog: { create(args: { data: Prisma.AuditLogUncheckedCreateInput }): PromiseLike<unknown> };
}

export async function writeAudit(db: AuditWriter, req: Request, entry: AuditEntry): Promise<void> {
  const changes = diffForAudit((entry.before ?? null) as Row | null, (entry.after ?? null) as Row | null, entry.entityType === 'Patient');
  await db.auditLog.create({
    data: {
      clinicId: entry.clinicId,
      actorId: (entry.actor ?? req.auth)?.userId ?? null,
      actorRole: (entry.actor ?? req.auth)?.role ?? null,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      changes: changes as Prisma.InputJsonValue,
      requestId: req.requestId,
    },
  });
}

/** Any client (or transaction) that runs raw SQL. */
export interface ReadAuditWriter {
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Records that the caller read these patients' records (HIPAA: every access to a record leaves a
 * trace): who, which patient, when and which request, never what was seen. One insert, with no
 * transaction: it runs before the answer is sent, so a read the trail cannot record is not served.
 * The ids go as one array parameter: a report naming a thousand patients writes its thousand rows
 * in one short statement (through createMany it took a third of a second).
 */
export async function auditRead(db: ReadAuditWriter, req: Request, action: string, patientIds: readonly string[]): Promise<void> {
  const ids = [...new Set(patientIds)];
  if (ids.length === 0) return;
  const role = req.auth?.role ?? null;
  await db.$executeRaw`
    INSERT INTO "AuditLog" (id, "clinicId", "actorId", "actorRole", action, "entityType", "entityId", "requestId")
    SELECT gen_random_uuid(), ${req.tenant!.clinicId}::uuid, ${req.auth?.userId ?? null}::uuid, ${role}::"StaffRole", ${action}, 'Patient', entity, ${req.requestId ?? null}
      FROM unnest(${ids}::text[]) AS entity`;
}
