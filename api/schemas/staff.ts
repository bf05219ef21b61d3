import { CLINIC_ROLES, ROLES } from '../../domain/roles';
import { z } from '../openapi/zod';
import { booleanQuery, email, listQuery, password } from './common';
import { text } from '../../domain/text';

const clinicRole = z.enum(CLINIC_ROLES);
const name = text().trim().min(1).max(100);

export const createStaffBody = z
  .object({ email, password, firstName: name, lastName: name, role: clinicRole, phone: text().trim().max(32).optional() })
  .openapi('CreateStaffRequest');

export const updateStaffBody = z
  .object({
    firstName: name.optional(),
    lastName: name.optional(),
    phone: text().trim().max(32).nullable().optional(),
    role: clinicRole.optional(),
    active: z.boolean().optional(),
    password: password.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .openapi('UpdateStaffRequest');

export const staffListQuery = listQuery.extend({
  role: z.enum(ROLES).optional(),
  active: booleanQuery.optional(),
  q: text().trim().min(1).max(100).optional(),
});

export const staffResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid().nullable(),
    email: text(),
    firstName: text(),
    lastName: text(),
    phone: text().nullable(),
    role: z.enum(ROLES),
    active: z.boolean(),
    lastLoginAt: text().nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('StaffMember');
