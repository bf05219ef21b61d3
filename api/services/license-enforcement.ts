import { type LicenseMetric, wouldExceed } from '../../domain/licensing';
import { type RawQuerier } from '../../prisma/appointment-usage';
import { ApiError } from '../http/api-error';


interface Occupancy {
  tierCode: string;
  tierName: string;
  maxStaff: number;
  maxPatients: number;
  staff: number;
  patients: number;
}

/**
 * Refuses (402 LICENSE_LIMIT_EXCEEDED) to add one more active staff member or patient beyond the
 * clinic's tier. Call inside the transaction that adds it: the clinic row lock makes concurrent
 * creations queue, so two requests cannot both take the last free place.
 */
export async function assertRoomFor(tx: RawQuerier, clinicId: string, metric: Extract<LicenseMetric, 'STAFF' | 'PATIENTS'>): Promise<void> {
  // Lock first, count in a later statement: under READ COMMITTED a statement sees only what was
  // committed when it started, so counts taken by the statement that waited for the lock would
  // miss the row the lock holder just added.
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Clinic" WHERE id = ${clinicId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw ApiError.notFound('Clinic');
  const [row] = await tx.$queryRaw<Occupancy[]>`
    SELECT t.code AS "tierCode", t.name AS "tierName", t."maxStaff", t."maxPatients",
           (SELECT count(*) FROM "StaffUser" s WHERE s."clinicId" = c.id AND s.active)::int AS staff,
           (SELECT count(*) FROM "Patient" p WHERE p."clinicId" = c.id AND p.active)::int AS patients
      FROM "Clinic" c JOIN "LicenseTier" t ON t.code = c."licenseTierCode"
     WHERE c.id = ${clinicId}::uuid`;
  if (!row) throw ApiError.notFound('Clinic');
  const [current, limit, noun] = metric === 'STAFF' ? [row.staff, row.maxStaff, 'staff members'] : [row.patients, row.maxPatients, 'patients'];
  if (wouldExceed(current, limit)) {
    throw ApiError.paymentRequired('LICENSE_LIMIT_EXCEEDED', `The ${row.tierName} tier allows ${limit} active ${noun}; upgrade the licence to add more`, {
      metric,
      limit,
      current,
      tier: row.tierCode,
    });
  }
}

/**
 * Asks, inside a booking's transaction, for the tier's monthly appointment limit to be checked as
 * it commits: the month's count is taken by the appointment trigger at commit, under the lock of
 * that clinic's month counter (held for the commit only), and a booking beyond the limit fails its
 * commit (isMonthLimitRefusal), writing nothing. Concurrent bookings of one clinic and month count
 * one after another, while the clinic row and every other month stay free.
 */
export async function checkMonthLimitAtCommit(tx: RawQuerier): Promise<void> {
  await tx.$queryRaw`SELECT set_config('clinicflow.month_limit', 'enforce', true)`;
}

/** The 402 for a booking refused at commit: the tier and the month's count as they stand now. */
export async function monthLimitReached(db: RawQuerier, clinicId: string, startsAt: Date): Promise<ApiError> {
  const [row] = await db.$queryRaw<Array<{ code: string; name: string; max: number; count: number | null }>>`
    SELECT t.code, t.name, t."maxAppointmentsPerMonth" AS max, u.count
      FROM "Clinic" c JOIN "LicenseTier" t ON t.code = c."licenseTierCode"
      LEFT JOIN "AppointmentMonthUsage" u ON u."clinicId" = c.id AND u.month = appointment_usage_month(${startsAt}::timestamptz, c.timezone)
     WHERE c.id = ${clinicId}::uuid`;
  if (!row) return ApiError.notFound('Clinic');
  return ApiError.paymentRequired('LICENSE_LIMIT_EXCEEDED', `The ${row.name} tier allows ${row.max} appointments a month; upgrade the licence to book more`, {
    metric: 'APPOINTMENTS',
    limit: row.max,
    current: row.count ?? 0,
    tier: row.code,
  });
}
