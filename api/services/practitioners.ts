/** Looks up practitioners and their working hours within the caller's clinic. */
import { hoursOf, type PractitionerHours } from '../../domain/availability';
import { type Prisma } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';

type TenantTx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];
type Db = Pick<TenantTx, 'staffUser' | 'clinic' | 'practitionerSchedule'>;

/** Roles that see patients in sessions and so have working hours, prices and a calendar. */
export const PRACTITIONER_ROLES = ['DOCTOR', 'THERAPIST', 'NURSE'] as const;
const isPractitionerRole = (role: string) => (PRACTITIONER_ROLES as readonly string[]).includes(role);

/** An active staff member of this clinic within `reach` (else 404) who practises (else 422 NOT_A_PRACTITIONER). */
export async function requirePractitioner(db: Pick<Db, 'staffUser'>, staffId: string, reach: Prisma.StaffUserWhereInput = {}) {
  const staff = await db.staffUser.findFirst({ where: { id: staffId, active: true, AND: [reach] }, select: { id: true, role: true } });
  assertPractises(staff);
  return staff;
}

/** 404 when no such active staff member was found (null), 422 NOT_A_PRACTITIONER when they do not practise. */
export function assertPractises<Staff extends { role: string }>(staff: Staff | null): asserts staff is Staff {
  if (!staff) throw ApiError.notFound('Staff member');
  if (!isPractitionerRole(staff.role)) {
    throw ApiError.unprocessable('NOT_A_PRACTITIONER', `A ${staff.role.toLowerCase().replace('_', ' ')} has no working hours or session prices; only doctors, therapists and nurses do`);
  }
}

/** The tenant client is scoped by Clinic.id, so this is always the caller's clinic. */
export async function clinicTimezone(db: Pick<Db, 'clinic'>, clinicId: string): Promise<string> {
  const clinic = await db.clinic.findUnique({ where: { id: clinicId }, select: { timezone: true } });
  if (!clinic) throw ApiError.notFound('Clinic');
  return clinic.timezone;
}

/** The practitioner's hours (null when none are set) and the zone they are read in. */
export async function loadHours(db: Db, clinicId: string, practitionerId: string): Promise<{ hours: PractitionerHours | null; timezone: string }> {
  const [zone, row] = await Promise.all([clinicTimezone(db, clinicId), db.practitionerSchedule.findFirst({ where: { practitionerId } })]);
  return hoursIn(row, zone);
}

/** A schedule row's hours and the zone they are read in: the practitioner's own, else the clinic's. */
export function hoursIn(row: Parameters<typeof hoursOf>[0], clinicZone: string): { hours: PractitionerHours | null; timezone: string } {
  const hours = hoursOf(row, clinicZone);
  return { hours, timezone: hours?.timezone ?? clinicZone };
}
