/**
 * Monthly invoicing (clinic setting `billing.invoicing: monthly`): instead of an invoice per
 * completed session, each patient gets one invoice at the month's close for every completed,
 * priced session of theirs that started before it and that no invoice bills yet (a session
 * completed late is on the next month's invoice). Each session keeps its own lines, its date first,
 * and each line names its session, so dues stay per session.
 */
import { zonedTimeToUtc } from '../../domain/dates';
import { type RawQuerier } from '../appointment-usage';
import { Prisma } from '../generated/client';
import { lockPatient } from '../patient-accounts';
import { type DocumentLinks, insertInvoice, type IssuedInvoice } from './documents';
import { linesOfSessions, nothingToBill } from './invoice-lines';

/** The first instant of the month after `month` (yyyy-mm) in the clinic's zone: the month's sessions start before it. */
export function monthEnd(month: string, timezone: string): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return zonedTimeToUtc(next, '00:00', timezone);
}

/** Appointment row `a` is a completed, priced session that no invoice (issued or credited) bills. */
const UNINVOICED = Prisma.raw(`a.status = 'COMPLETED' AND a.price IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM "InvoiceLine" l WHERE l."clinicId" = a."clinicId" AND l."appointmentId" = a.id)`);

/** The patients with sessions to invoice at the close, and those sessions, oldest first. */
export async function sessionsToInvoice(db: RawQuerier, clinicId: string, before: Date): Promise<Array<{ patientId: string; appointmentIds: string[] }>> {
  return db.$queryRaw<Array<{ patientId: string; appointmentIds: string[] }>>`
    SELECT a."patientId"::text AS "patientId", array_agg(a.id::text ORDER BY a."startsAt", a.id) AS "appointmentIds"
      FROM "Appointment" a
     WHERE a."clinicId" = ${clinicId}::uuid AND a."startsAt" < ${before} AND ${UNINVOICED}
     GROUP BY a."patientId" ORDER BY a."patientId"`;
}

/**
 * One patient's invoice for the month (source `month:<yyyy-mm>:<patientId>`, so the same close
 * issues it once), in the caller's transaction. Under the patient's row lock the sessions are read
 * again, so two closes at once (a caught-up month and the next) never bill a session twice. Null
 * when nothing is left to bill or every line is free (sessions taken from a package).
 */
export async function issueMonthlyInvoice(
  tx: RawQuerier,
  clinicId: string,
  input: { patientId: string; month: string; appointmentIds: readonly string[]; timezone: string; at: Date },
  links: DocumentLinks | null,
): Promise<IssuedInvoice | null> {
  if ((await lockPatient(tx, clinicId, input.patientId)) === null) return null;
  const still = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT a.id::text AS id FROM "Appointment" a
     WHERE a."clinicId" = ${clinicId}::uuid AND a."patientId" = ${input.patientId}::uuid AND a.id = ANY(${[...input.appointmentIds]}::uuid[]) AND ${UNINVOICED}
     ORDER BY a."startsAt", a.id`;
  const lines = await linesOfSessions(tx, clinicId, still.map((s) => s.id), input.timezone);
  if (nothingToBill(lines)) return null;
  return insertInvoice(tx, clinicId, { patientId: input.patientId, appointmentId: null, sourceKey: `month:${input.month}:${input.patientId}`, lines, at: input.at }, links);
}
