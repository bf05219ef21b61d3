// Mirrors the StaffRole enum of prisma/schema.prisma; domain code must not import Prisma.
export const ROLES = [
  'SUPER_ADMIN',
  'OPS',
  'CLINIC_ADMIN',
  'MANAGER',
  'DOCTOR',
  'THERAPIST',
  'NURSE',
  'RECEPTIONIST',
  'ACCOUNTANT',
] as const;
export type Role = (typeof ROLES)[number];

/** Platform roles work across clinics and belong to no clinic. */
export const PLATFORM_ROLES = ['SUPER_ADMIN', 'OPS'] as const satisfies readonly Role[];
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Roles a clinic can give its own staff. */
export const CLINIC_ROLES = ROLES.filter((r): r is Exclude<Role, PlatformRole> => !isPlatformRole(r));
export type ClinicRole = Exclude<Role, PlatformRole>;

export function isPlatformRole(role: Role): role is PlatformRole {
  return (PLATFORM_ROLES as readonly Role[]).includes(role);
}
