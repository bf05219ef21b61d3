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

export function toPage<T extends { id: string }, D>(rows: T[], limit: number, present: (row: T) => D): { data: D[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(present), nextCursor: more && last ? encodeCursor(last.id) : null };
}
