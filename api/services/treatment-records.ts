/**
 * Treatment records: what was done in a session. Created for a checked-in, running or completed
 * session, with barcode verification and the stock of the materials used taken off in the same
 * transaction; editable while a draft; signed once (immutable from then on, a database trigger
 * included); corrected by amendments, each a new version with its reason. The audit trail records
 * who did what to which record, never the clinical text.
 */
import { type Request } from 'express';
import { Prisma, type TreatmentRecord } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { optionalIdempotencyKey, replayable, requestFingerprint } from '../http/idempotency-key';
import { isUniqueViolation } from '../http/prisma-helpers';
import { type z } from '../openapi/zod';
import { type amendTreatmentRecordBody, type createTreatmentRecordBody, type treatmentRecordResponse, type updateTreatmentRecordBody } from '../schemas/treatment-records';
import { writeAudit } from './audit';
import { signalDocumentationSigned } from './documentation';
import { allowsNegativeStock, applyStockChanges, deliverLowStockAlerts } from './inventory';

type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];
type CreateBody = z.output<typeof createTreatmentRecordBody>;
type UpdateBody = z.output<typeof updateTreatmentRecordBody>;
type AmendBody = z.output<typeof amendTreatmentRecordBody>;

/** Sessions a record can be written for. */
export const RECORDABLE_STATUSES = ['CHECKED_IN', 'IN_PROGRESS', 'COMPLETED'] as const;

const WITH_LINES = { items: { include: { therapyType: { select: { name: true } } } }, materials: { include: { item: { select: { name: true, unit: true } } } } } as const;
type RecordWithLines = Prisma.TreatmentRecordGetPayload<{ include: typeof WITH_LINES }>;
type RecordWithVersions = RecordWithLines & { versions?: Prisma.TreatmentRecordVersionGetPayload<object>[] };

const toDate = (d: string | undefined) => (d === undefined ? undefined : new Date(`${d}T00:00:00.000Z`));

/** The clinical fields of a record, as a version stores them. */
function clinicalContent(r: Pick<TreatmentRecord, 'notes' | 'complications' | 'patientFeedback' | 'followUpRequired' | 'followUpDate' | 'followUpNotes'>) {
  return {
    notes: r.notes,
    complications: r.complications,
    patientFeedback: r.patientFeedback,
    followUpRequired: r.followUpRequired,
    followUpDate: r.followUpDate ? r.followUpDate.toISOString().slice(0, 10) : null,
    followUpNotes: r.followUpNotes,
  };
}

/** The columns a change of clinical fields writes. */
function clinicalColumns(b: UpdateBody) {
  return {
    ...(b.notes !== undefined ? { notes: b.notes } : {}),
    ...(b.complications !== undefined ? { complications: b.complications } : {}),
    ...(b.patientFeedback !== undefined ? { patientFeedback: b.patientFeedback } : {}),
    ...(b.followUp !== undefined ? { followUpRequired: b.followUp.required, followUpDate: toDate(b.followUp.date) ?? null, followUpNotes: b.followUp.notes ?? null } : {}),
  };
}

/** What the audit trail keeps of a record: ids, state and money; the clinical fields only by name. */
function auditView(r: TreatmentRecord, changedFields: string[] = []) {
  return {
    appointmentId: r.appointmentId,
    patientId: r.patientId,
    status: r.status,
    version: r.version,
    durationMinutes: r.durationMinutes,
    cost: r.cost,
    discount: r.discount,
    finalAmount: r.finalAmount,
    barcodeVerified: r.barcodeVerified,
    signedAt: r.signedAt,
    ...(changedFields.length ? { clinicalFieldsChanged: changedFields.join(',') } : {}),
  };
}
const changedClinicalFields = (b: UpdateBody) => (['notes', 'complications', 'patientFeedback', 'followUp'] as const).filter((k) => b[k] !== undefined);

export function presentTreatmentRecord(r: RecordWithVersions): z.infer<typeof treatmentRecordResponse> {
  return {
    id: r.id,
    appointmentId: r.appointmentId,
    patientId: r.patientId,
    practitionerId: r.practitionerId,
    recordedById: r.recordedById,
    status: r.status,
    version: r.version,
    durationMinutes: r.durationMinutes,
    cost: r.cost.toFixed(2),
    discount: r.discount.toFixed(2),
    finalAmount: r.finalAmount.toFixed(2),
    currency: r.currency,
    ...clinicalContent(r),
    barcodeVerified: r.barcodeVerified,
    barcodeEntry: r.barcodeEntry,
    items: r.items.map((i) => ({ therapyTypeId: i.therapyTypeId, name: i.therapyType.name, quantity: i.quantity, unitPrice: i.unitPrice.toFixed(2) })),
    materials: r.materials.map((m) => ({ itemId: m.itemId, name: m.item.name, quantity: m.quantity, unit: m.item.unit })),
    signedAt: r.signedAt?.toISOString() ?? null,
    signedById: r.signedById,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    ...(r.versions
      ? { versions: r.versions.map((v) => ({ version: v.version, reason: v.reason, byId: v.byId, createdAt: v.createdAt.toISOString(), content: v.content as ReturnType<typeof clinicalContent> })) }
      : {}),
  };
}

const mismatch = (path: string, message: string) => ApiError.unprocessable('BARCODE_MISMATCH', message, [{ path, message }]);

/**
 * Checks what was scanned or typed in against the patient's card and the barcoded items: every
 * item with a barcode must have been scanned, and nothing scanned may be foreign to the session.
 */
function verifyBarcodes(verification: CreateBody['verification'], patientBarcode: string, types: { id: string; barcode: string | null }[]): boolean {
  if (!verification) return false;
  if (verification.patientBarcode !== patientBarcode) throw mismatch('body.verification.patientBarcode', "The barcode is not this session's patient's");
  const expected = new Set(types.map((t) => t.barcode).filter((b): b is string => b !== null));
  const scanned = new Set(verification.treatmentBarcodes);
  for (const code of scanned) if (!expected.has(code)) throw mismatch('body.verification.treatmentBarcodes', 'A scanned barcode belongs to no treatment of this record');
  for (const code of expected) if (!scanned.has(code)) throw mismatch('body.verification.treatmentBarcodes', 'A treatment of this record has a barcode that was not scanned');
  return true;
}

/** Finds a session the caller reaches (practitioners: their own), or 404. */
export async function findAppointment(req: Request, appointmentId: string) {
  const { db, ownership } = req.tenant!;
  const appointment = await db.appointment.findUnique({ where: { id: appointmentId, AND: [ownership.appointment] }, include: { patient: { select: { barcode: true } } } });
  if (!appointment) throw ApiError.notFound('Appointment');
  return appointment;
}

/**
 * Saves a record and takes its materials off stock. With an Idempotency-Key, the same request again
 * answers with the first record and uses no stock twice; the key with another request is 422.
 */
export async function createTreatmentRecord(deps: ApiDeps, req: Request, appointmentId: string, body: CreateBody): Promise<RecordWithLines> {
  const { db } = req.tenant!;
  const key = optionalIdempotencyKey(req);
  const fingerprint = requestFingerprint(req);
  const earlier = async () => {
    const row = key ? await db.treatmentRecord.findFirst({ where: { idempotencyKey: key }, include: WITH_LINES }) : null;
    return row ? replayable(row, fingerprint) : null;
  };
  const found = await earlier();
  if (found) return found;
  try {
    return await saveTreatmentRecord(deps, req, appointmentId, body, key ? { key, fingerprint } : undefined);
  } catch (err) {
    // The same key saved by a request running alongside: answer with its record.
    const raced = isUniqueViolation(err) ? await earlier() : null;
    if (raced) return raced;
    throw err;
  }
}

async function saveTreatmentRecord(deps: ApiDeps, req: Request, appointmentId: string, body: CreateBody, idempotency?: { key: string; fingerprint: string }): Promise<RecordWithLines> {
  const { db, clinicId } = req.tenant!;
  const appointment = await findAppointment(req, appointmentId);
  if (!(RECORDABLE_STATUSES as readonly string[]).includes(appointment.status)) {
    throw ApiError.conflict('NOT_IN_SESSION', `A treatment is recorded for a session that is checked in, in progress or completed; this one is ${appointment.status}`);
  }
  const typeIds = [...new Set(body.items.map((i) => i.therapyTypeId))];
  const types = await db.therapyType.findMany({ where: { id: { in: typeIds } } });
  if (types.length !== typeIds.length) throw ApiError.notFound('Therapy type');
  if (types.some((t) => t.archivedAt)) throw ApiError.unprocessable('THERAPY_TYPE_ARCHIVED', 'An archived therapy type cannot be recorded');
  const barcodeVerified = verifyBarcodes(body.verification, appointment.patient.barcode, types);

  const byId = new Map(types.map((t) => [t.id, t]));
  const lines = body.items.map((i) => ({ therapyTypeId: i.therapyTypeId, quantity: i.quantity, unitPrice: byId.get(i.therapyTypeId)!.defaultPrice }));
  const cost = body.cost !== undefined ? new Prisma.Decimal(body.cost) : lines.reduce((sum, l) => sum.add(l.unitPrice.mul(l.quantity)), new Prisma.Decimal(0));
  const discount = new Prisma.Decimal(body.discount ?? 0);
  if (discount.gt(cost)) throw ApiError.unprocessable('DISCOUNT_TOO_HIGH', 'The discount is more than the cost', [{ path: 'body.discount', message: 'must not exceed the cost' }]);
  const durationMinutes = body.durationMinutes ?? body.items.reduce((sum, i) => sum + byId.get(i.therapyTypeId)!.defaultDurationMinutes * i.quantity, 0);
  const materials = [...body.materials.reduce((m, x) => m.set(x.itemId, (m.get(x.itemId) ?? 0) + x.quantity), new Map<string, number>())].map(([itemId, quantity]) => ({ itemId, quantity }));

  const { record, stock } = await db.$transaction(async (tx) => {
    const created = await tx.treatmentRecord.create({
      data: {
        clinicId,
        appointmentId: appointment.id,
        patientId: appointment.patientId,
        practitionerId: appointment.practitionerId,
        recordedById: req.auth!.userId,
        durationMinutes,
        cost,
        discount,
        finalAmount: cost.sub(discount),
        currency: appointment.currency ?? types[0]!.currency,
        ...clinicalColumns(body),
        barcodeVerified,
        barcodeEntry: body.verification?.method ?? null,
        idempotencyKey: idempotency?.key ?? null,
        idempotencyFingerprint: idempotency?.fingerprint ?? null,
        items: { create: lines.map((l) => ({ ...l, clinicId })) },
        materials: { create: materials.map((m) => ({ ...m, clinicId })) },
      },
      include: WITH_LINES,
    });
    const allowNegative = materials.length ? await allowsNegativeStock(tx, clinicId) : false;
    const results = await applyStockChanges(
      tx,
      clinicId,
      materials.map((m) => ({ itemId: m.itemId, type: 'USE' as const, change: -m.quantity, reason: 'treatment record', byId: req.auth!.userId, treatmentRecordId: created.id })),
      allowNegative,
    );
    await writeAudit(tx, req, { action: 'treatmentRecord.create', entityType: 'TreatmentRecord', entityId: created.id, clinicId, after: { ...auditView(created, changedClinicalFields(body)), materials: materials.length } });
    return { record: created, stock: results };
  });
  await deliverLowStockAlerts(deps, clinicId, stock);
  return record;
}

/** Finds a record of a session the caller reaches, or 404: the session first, so a colleague's answers like an unknown one. */
async function findRecord(tx: Tx, req: Request, appointmentId: string, recordId: string) {
  if (!(await tx.appointment.findUnique({ where: { id: appointmentId, AND: [req.tenant!.ownership.appointment] }, select: { id: true } }))) throw ApiError.notFound('Appointment');
  const record = await tx.treatmentRecord.findUnique({ where: { id: recordId, appointmentId } });
  if (!record) throw ApiError.notFound('Treatment record');
  return record;
}

const signedAlready = () => ApiError.conflict('RECORD_SIGNED', 'The record is signed and cannot change; correct it with an amendment');

export async function readTreatmentRecord(req: Request, appointmentId: string, recordId: string): Promise<RecordWithVersions> {
  const { db } = req.tenant!;
  await findRecord(db as unknown as Tx, req, appointmentId, recordId);
  return db.treatmentRecord.findUniqueOrThrow({ where: { id: recordId }, include: { ...WITH_LINES, versions: { orderBy: { version: 'asc' } } } });
}

export async function listTreatmentRecords(req: Request, appointmentId: string, limit: number, cursor: { id: string } | undefined) {
  await findAppointment(req, appointmentId);
  return req.tenant!.db.treatmentRecord.findMany({ where: { appointmentId }, include: WITH_LINES, orderBy: { id: 'asc' }, take: limit + 1, ...(cursor ? { cursor, skip: 1 } : {}) });
}

/** Changes a draft's clinical fields; a signed record answers 409. */
export async function updateTreatmentRecord(req: Request, appointmentId: string, recordId: string, body: UpdateBody): Promise<RecordWithLines> {
  const { db, clinicId } = req.tenant!;
  return db.$transaction(async (tx) => {
    const before = await findRecord(tx, req, appointmentId, recordId);
    if (before.status !== 'DRAFT') throw signedAlready();
    // Conditional on DRAFT: a signature that lands between the read and this write wins.
    const { count } = await tx.treatmentRecord.updateMany({ where: { id: recordId, status: 'DRAFT' }, data: clinicalColumns(body) });
    if (count === 0) throw signedAlready();
    const after = await tx.treatmentRecord.findUniqueOrThrow({ where: { id: recordId }, include: WITH_LINES });
    await writeAudit(tx, req, { action: 'treatmentRecord.update', entityType: 'TreatmentRecord', entityId: recordId, clinicId, before: auditView(before), after: auditView(after, changedClinicalFields(body)) });
    return after;
  });
}

/**
 * Signs a draft: from now on it is immutable (corrections are amendments), and its first version is
 * kept. The one place a record becomes signed: whatever must follow a signature (such as ending the
 * session's documentation deadline) belongs here, after the transaction.
 */
export async function signTreatmentRecord(deps: ApiDeps, req: Request, appointmentId: string, recordId: string): Promise<RecordWithVersions> {
  const { db, clinicId } = req.tenant!;
  const byId = req.auth!.userId;
  await db.$transaction(async (tx) => {
    const before = await findRecord(tx, req, appointmentId, recordId);
    const signedAt = new Date();
    const { count } = await tx.treatmentRecord.updateMany({ where: { id: recordId, status: 'DRAFT' }, data: { status: 'SIGNED', signedAt, signedById: byId } });
    if (count === 0) throw ApiError.conflict('RECORD_SIGNED', 'The record is already signed');
    await tx.treatmentRecordVersion.create({ data: { clinicId, recordId, version: before.version, reason: null, content: clinicalContent(before), byId } });
    await writeAudit(tx, req, { action: 'treatmentRecord.sign', entityType: 'TreatmentRecord', entityId: recordId, clinicId, before: auditView(before), after: auditView({ ...before, status: 'SIGNED', signedAt }) });
  });
  // The session is documented: its documentation deadline ends (never fails the signature).
  await signalDocumentationSigned(deps, clinicId, appointmentId);
  return readTreatmentRecord(req, appointmentId, recordId);
}

/** Corrects a signed record: its clinical fields change, as a new version with the reason; the earlier versions stay readable. */
export async function amendTreatmentRecord(req: Request, appointmentId: string, recordId: string, body: AmendBody): Promise<RecordWithVersions> {
  const { db, clinicId } = req.tenant!;
  const { reason, ...changes } = body;
  await db.$transaction(async (tx) => {
    const before = await findRecord(tx, req, appointmentId, recordId);
    if (before.status !== 'SIGNED') throw ApiError.conflict('RECORD_NOT_SIGNED', 'A draft is changed directly (PATCH); amendments correct signed records');
    const version = before.version + 1;
    // Conditional on the version read: two amendments at once make two versions, one after the other, or a 409.
    const { count } = await tx.treatmentRecord.updateMany({ where: { id: recordId, version: before.version }, data: { ...clinicalColumns(changes), version } });
    if (count === 0) throw ApiError.conflict('RECORD_CHANGED', 'The record was amended meanwhile; read it again');
    const after = await tx.treatmentRecord.findUniqueOrThrow({ where: { id: recordId } });
    await tx.treatmentRecordVersion.create({ data: { clinicId, recordId, version, reason, content: clinicalContent(after), byId: req.auth!.userId } });
    await writeAudit(tx, req, { action: 'treatmentRecord.amend', entityType: 'TreatmentRecord', entityId: recordId, clinicId, before: auditView(before), after: auditView(after, changedClinicalFields(changes)) });
  });
  return readTreatmentRecord(req, appointmentId, recordId);
}
