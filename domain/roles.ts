// Mirrors the StaffRole enum of prisma/schema.prisma; domain code must not import Prisma.
/** Platform roles work across clinics and belong to no clinic. */
export const PLATFORM_ROLES = ['SUPER_ADMIN', 'OPS'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Roles a clinic can give its own staff. */
export const CLINIC_ROLES = ['CLINIC_ADMIN', 'MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST', 'ACCOUNTANT', 'INVENTORY_MANAGER'] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];

export const ROLES = [...PLATFORM_ROLES, ...CLINIC_ROLES] as const;
export type Role = (typeof ROLES)[number];

export function isPlatformRole(role: Role): role is PlatformRole {
  return (PLATFORM_ROLES as readonly Role[]).includes(role);
}
