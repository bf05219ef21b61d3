import { type Role } from './roles';

/**
 * The permission matrix: which role may do what. Route handlers ask for one permission
 * (`requirePermission('patient:create')`); nothing else in the code compares roles.
 */
export const PERMISSIONS = [
  'clinic:create',
  'clinic:list',
  'clinic:read',
  'clinic:update',
  'clinic:manage-subscription',
  'staff:read',
  'staff:create',
  'staff:update',
  'staff:deactivate',
  'patient:read',
  'patient:create',
  'patient:update',
  'licensing:read',
  'licensing:check',
  'licensing:request-change',
  'audit:read',
  'communication:manage',
  'message:send',
  'message:read',
  /** Run a message that FAILED or EXPIRED again. */
  'message:redrive',
  'codec:decode',
  /** Therapy types, prices, and practitioners' working hours. */
  'schedule:read',
  'schedule:manage',
  'appointment:read',
  'appointment:book',
  /** Confirm, cancel, reschedule, check in, start, complete, mark no-show. */
  'appointment:manage',
  /** A practitioner asks to move one of their own sessions. */
  'reschedule:request',
  'reschedule:decide',
  /** Patients' payments, refunds, credits and outstanding dues. */
  'payment:read',
  'payment:record',
  /** The clinic's notification settings, such as when monthly payment reminders go out. */
  'notification:manage',
  /** Send this month's payment reminders now. */
  'payment-reminder:run',
  /** The clinic's expenses (seed 004: admin and accountant record them, everyone else reads). */
  'expense:read',
  'expense:manage',
  /** An expense's receipt file (a vendor's invoice may carry bank details): fewer roles than the list. */
  'expense:receipt',
  /** The owner's reports: dashboard, financial, sessions, dues ageing, patients. */
  'report:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const CLINIC_READ: Permission[] = ['clinic:read', 'licensing:read', 'expense:read'];
/** Who keeps the clinic's books: records expenses, reads their receipts and the reports. */
const EXPENSE_BOOKS: Permission[] = ['expense:manage', 'expense:receipt', 'report:read'];
const PATIENT_DESK: Permission[] = ['patient:read', 'patient:create', 'patient:update', 'message:send', 'message:read'];
const FRONT_DESK: Permission[] = ['schedule:read', 'appointment:read', 'appointment:book', 'appointment:manage'];
/** Practitioners see the calendar, run their sessions and ask to move them; they do not book. */
const PRACTITIONER: Permission[] = ['schedule:read', 'appointment:read', 'appointment:manage', 'reschedule:request'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  SUPER_ADMIN: PERMISSIONS,
  OPS: ['clinic:list', 'clinic:read', 'staff:read', 'licensing:read', 'licensing:check', 'audit:read', 'message:read', 'codec:decode'],
  CLINIC_ADMIN: [
    ...CLINIC_READ,
    'clinic:update',
    'staff:read',
    'staff:create',
    'staff:update',
    'staff:deactivate',
    ...PATIENT_DESK,
    'licensing:check',
    'licensing:request-change',
    'audit:read',
    'communication:manage',
    'message:redrive',
    ...FRONT_DESK,
    'schedule:manage',
    'reschedule:decide',
    'payment:read',
    'payment:record',
    'notification:manage',
    'payment-reminder:run',
    ...EXPENSE_BOOKS,
  ],
  MANAGER: [...CLINIC_READ, 'staff:read', ...PATIENT_DESK, ...FRONT_DESK, 'schedule:manage', 'reschedule:decide', 'report:read'],
  DOCTOR: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', ...PRACTITIONER],
  THERAPIST: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', ...PRACTITIONER],
  NURSE: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', 'schedule:read', 'appointment:read', 'appointment:manage'],
  RECEPTIONIST: [...CLINIC_READ, 'staff:read', ...PATIENT_DESK, ...FRONT_DESK],
  ACCOUNTANT: [...CLINIC_READ, 'patient:read', 'appointment:read', 'payment:read', 'payment:record', ...EXPENSE_BOOKS],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * How far a role's permissions reach inside its clinic. 'clinic': every record. 'own': only the
 * appointments where the caller is the practitioner (with their reschedule requests) and the
 * patients they treat, meaning patients with at least one appointment with them that is not
 * cancelled, past or future (a cancelled booking never started a treatment). Records out of reach
 * answer 404, like another clinic's.
 */
export type RecordReach = 'clinic' | 'own';

export const ROLE_REACH: Readonly<Record<Role, RecordReach>> = {
  SUPER_ADMIN: 'clinic',
  OPS: 'clinic',
  CLINIC_ADMIN: 'clinic',
  MANAGER: 'clinic',
  RECEPTIONIST: 'clinic',
  // Billing follows every patient's account, whoever treats them.
  ACCOUNTANT: 'clinic',
  DOCTOR: 'own',
  THERAPIST: 'own',
  NURSE: 'own',
};
