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
 * Refuses (402 LICENSE_LIMIT_EXCEEDED) an appointment beyond the tier's monthly limit. Call inside
 * the booking transaction, after inserting the row: its trigger has already added it to the
 * month's AppointmentMonthUsage row and holds that row's lock until commit, so concurrent bookings
 * of one clinic and month count one after another (each sees the others' committed rows and its
 * own), while the clinic row and every other month stay free.
 */
export async function assertMonthWithinLicence(tx: RawQuerier, clinicId: string, startsAt: Date): Promise<void> {
  const [row] = await tx.$queryRaw<Array<{ code: string; name: string; max: number; count: number | null }>>`
    SELECT t.code, t.name, t."maxAppointmentsPerMonth" AS max, u.count
      FROM "Clinic" c JOIN "LicenseTier" t ON t.code = c."licenseTierCode"
      LEFT JOIN "AppointmentMonthUsage" u ON u."clinicId" = c.id AND u.month = appointment_usage_month(${startsAt}::timestamptz, c.timezone)
     WHERE c.id = ${clinicId}::uuid`;
  if (!row) throw ApiError.notFound('Clinic');
  // The count includes the appointment being booked.
  const current = (row.count ?? 1) - 1;
  if (wouldExceed(current, row.max)) {
    throw ApiError.paymentRequired('LICENSE_LIMIT_EXCEEDED', `The ${row.name} tier allows ${row.max} appointments a month; upgrade the licence to book more`, {
      metric: 'APPOINTMENTS',
      limit: row.max,
      current,
      tier: row.code,
    });
  }
}
