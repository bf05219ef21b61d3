/** Appointment usage as the licence counts it, shared by the booking API and the daily licence check. */
import { type Prisma } from './generated/client';

/** Any client or transaction that can run raw SQL (root, tenant-scoped, or a transaction of either). */
export interface RawQuerier {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): PromiseLike<T>;
}

/**
 * The clinic's appointments that are not cancelled in the calendar month, in the clinic's own time
 * zone, that contains `instant`: the figure the tier's maxAppointmentsPerMonth limits.
 */
export async function appointmentsInMonth(db: RawQuerier, clinicId: string, instant: Date): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ count: number }>>`
    SELECT count(*)::int AS count
      FROM "Appointment" a JOIN "Clinic" c ON c.id = a."clinicId"
     WHERE a."clinicId" = ${clinicId}::uuid AND a.status <> 'CANCELLED'
       AND date_trunc('month', a."startsAt" AT TIME ZONE c.timezone) = date_trunc('month', ${instant}::timestamptz AT TIME ZONE c.timezone)`;
  return row?.count ?? 0;
}
