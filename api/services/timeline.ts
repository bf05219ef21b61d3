/**
 * A patient's timeline: appointments, treatment records, progress reports, payments and messages in one stream,
 * newest first, paginated by a keyset cursor over (time, kind, id). Each kind of entry is one
 * source: a small function that reads its rows strictly after the cursor, in the same order, and
 * the permission it needs (a role without it does not see that kind). Adding a kind is adding one
 * source to TIMELINE_SOURCES.
 */
import { type Permission } from '../../domain/permissions';
import { type TenantDb } from '../../prisma/tenant';
import { type OwnershipScope } from '../middleware/ownership';
import { ApiError } from '../http/api-error';

export interface TimelineEntry {
  kind: string;
  id: string;
  at: Date;
  /** Ids, statuses and amounts: what happened, not the clinical content. */
  summary: Record<string, string | number | boolean | null>;
}

export interface TimelineCursor {
  at: Date;
  kind: string;
  id: string;
}

export interface TimelineSource {
  kind: string;
  permission: Permission;
  /** Up to `limit` entries of this kind strictly after the cursor in (at desc, kind desc, id desc) order. */
  load(args: { db: TenantDb; ownership: OwnershipScope; patientId: string; after?: TimelineCursor; limit: number }): Promise<TimelineEntry[]>;
}

/**
 * The Prisma filter for "after the cursor" of one source whose time column is `field`: a kind
 * sorting below the cursor's may share its instant, the cursor's own kind continues by id, a kind
 * sorting above it starts strictly earlier.
 */
export function afterCursor(kind: string, field: string, after?: TimelineCursor): Record<string, unknown> {
  if (!after) return {};
  if (kind < after.kind) return { [field]: { lte: after.at } };
  if (kind > after.kind) return { [field]: { lt: after.at } };
  return { OR: [{ [field]: { lt: after.at } }, { [field]: after.at, id: { lt: after.id } }] };
}

const appointments: TimelineSource = {
  kind: 'appointment',
  permission: 'appointment:read',
  async load({ db, ownership, patientId, after, limit }) {
    const rows = await db.appointment.findMany({
      where: { patientId, AND: [ownership.appointment, afterCursor('appointment', 'startsAt', after)] },
      orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((a) => ({ kind: 'appointment', id: a.id, at: a.startsAt, summary: { status: a.status, reservationId: a.reservationId, practitionerId: a.practitionerId, type: a.type } }));
  },
};

const progressReports: TimelineSource = {
  kind: 'progress-report',
  permission: 'progress-report:read',
  async load({ db, patientId, after, limit }) {
    const rows = await db.progressReport.findMany({
      where: { patientId, AND: [afterCursor('progress-report', 'reportedAt', after)] },
      orderBy: [{ reportedAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((r) => ({ kind: 'progress-report', id: r.id, at: r.reportedAt, summary: { status: r.status, templateId: r.templateId, practitionerId: r.practitionerId, appointmentId: r.appointmentId } }));
  },
};

const treatmentRecords: TimelineSource = {
  kind: 'treatment-record',
  permission: 'treatment-record:read',
  async load({ db, ownership, patientId, after, limit }) {
    // A practitioner sees the records of the sessions they may read, as on the appointment's own route.
    const rows = await db.treatmentRecord.findMany({
      where: { patientId, appointment: ownership.appointment, AND: [afterCursor('treatment-record', 'createdAt', after)] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((r) => ({
      kind: 'treatment-record',
      id: r.id,
      at: r.createdAt,
      summary: { status: r.status, version: r.version, appointmentId: r.appointmentId, practitionerId: r.practitionerId, barcodeVerified: r.barcodeVerified, finalAmount: r.finalAmount.toFixed(2), currency: r.currency },
    }));
  },
};

const payments: TimelineSource = {
  kind: 'payment',
  permission: 'payment:read',
  async load({ db, ownership, patientId, after, limit }) {
    const rows = await db.payment.findMany({
      where: { patientId, AND: [ownership.payment, afterCursor('payment', 'createdAt', after)] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((p) => ({ kind: 'payment', id: p.id, at: p.createdAt, summary: { amount: p.amount.toFixed(2), currency: p.currency, method: p.method, appointmentId: p.appointmentId } }));
  },
};

const messages: TimelineSource = {
  kind: 'message',
  permission: 'message:read',
  async load({ db, ownership, patientId, after, limit }) {
    const rows = await db.message.findMany({
      where: { patientId, AND: [ownership.message, afterCursor('message', 'createdAt', after)] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((m) => ({ kind: 'message', id: m.id, at: m.createdAt, summary: { category: m.category, status: m.status, channel: m.channel } }));
  },
};

/** Every kind of entry a timeline shows. */
export const TIMELINE_SOURCES: TimelineSource[] = [appointments, treatmentRecords, progressReports, payments, messages];

const byTimeline = (a: TimelineEntry, b: TimelineEntry) =>
  b.at.getTime() - a.at.getTime() || (a.kind < b.kind ? 1 : a.kind > b.kind ? -1 : 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function encodeTimelineCursor(e: TimelineEntry): string {
  return Buffer.from(`${e.at.toISOString()}|${e.kind}|${e.id}`).toString('base64url');
}

export function decodeTimelineCursor(cursor: string | undefined): TimelineCursor | undefined {
  if (!cursor) return undefined;
  const [at, kind, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (rest.length || !kind || !id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(date.getTime())) throw ApiError.badRequest('INVALID_CURSOR', 'The cursor is not one this API returned');
  return { at: date, kind, id };
}

/** One page: each source reads one more than the page at most, the merge keeps the newest. */
export async function timelinePage(
  sources: readonly TimelineSource[],
  args: { db: TenantDb; ownership: OwnershipScope; patientId: string; cursor?: string; limit: number },
): Promise<{ data: TimelineEntry[]; nextCursor: string | null }> {
  const after = decodeTimelineCursor(args.cursor);
  const loaded = await Promise.all(sources.map((s) => s.load({ ...args, after, limit: args.limit + 1 })));
  const merged = loaded.flat().sort(byTimeline);
  const data = merged.slice(0, args.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: merged.length > args.limit && last ? encodeTimelineCursor(last) : null };
}
