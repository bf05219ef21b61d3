import { ApiError } from './api-error';

/** Opaque cursors: the id of the last row of the previous page. */
export function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw ApiError.badRequest('INVALID_CURSOR', 'The cursor is not one this API returned');
  return id;
}

/** Prisma arguments for one page (one extra row tells whether another page follows). */
export function pageArgs(limit: number, cursor: string | undefined) {
  const id = decodeCursor(cursor);
  return { take: limit + 1, ...(id ? { cursor: { id }, skip: 1 } : {}) };
}

export function toPage<T extends { id: string }, D>(
  rows: T[],
  limit: number,
  present: (row: T) => D,
  cursorOf: (row: T) => string = (row) => encodeCursor(row.id),
): { data: D[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(present), nextCursor: more && last ? cursorOf(last) : null };
}

/**
 * Keyset cursors for lists by start time: the (startsAt, id) of the last row, so the next page
 * starts right after it even when that row has since moved or gone.
 */
export function encodeStartCursor(row: { startsAt: Date; id: string }): string {
  return Buffer.from(`${row.startsAt.toISOString()}|${row.id}`).toString('base64url');
}

/** Prisma arguments for one page by (startsAt, id) after the cursor. */
export function startOrderPageArgs(limit: number, cursor: string | undefined) {
  const orderBy = [{ startsAt: 'asc' as const }, { id: 'asc' as const }];
  if (!cursor) return { orderBy, take: limit + 1, after: undefined };
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const startsAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(startsAt.getTime())) throw ApiError.badRequest('INVALID_CURSOR', 'The cursor is not one this API returned');
  return { orderBy, take: limit + 1, after: { OR: [{ startsAt: { gt: startsAt } }, { startsAt, id: { gt: id } }] } };
}
