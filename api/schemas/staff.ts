import { CLINIC_ROLES, ROLES } from '../../domain/roles';
import { z } from '../openapi/zod';
import { booleanQuery, email, listQuery, password } from './common';

const clinicRole = z.enum(CLINIC_ROLES);
const name = z.string().trim().min(1).max(100);

export const createStaffBody = z
  .object({ email, password, firstName: name, lastName: name, role: clinicRole, phone: z.string().trim().max(32).optional() })
  .openapi('CreateStaffRequest');

export const updateStaffBody = z
  .object({
    firstName: name.optional(),
    lastName: name.optional(),
    phone: z.string().trim().max(32).nullable().optional(),
    role: clinicRole.optional(),
    active: z.boolean().optional(),
    password: password.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .openapi('UpdateStaffRequest');

export const staffListQuery = listQuery.extend({
  role: z.enum(ROLES).optional(),
  active: booleanQuery.optional(),
  q: z.string().trim().min(1).max(100).optional(),
});

export const staffResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid().nullable(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    phone: z.string().nullable(),
    role: z.enum(ROLES),
    active: z.boolean(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('StaffMember');
