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
  /** Correct an issued invoice: a credit note for it and a new invoice (invoices, receipts and credit notes are read with payment:read). */
  'invoice:correct',
  /** The clinic's notification settings, such as when monthly payment reminders go out. */
  'notification:manage',
  /** Send this month's payment reminders now. */
  'payment-reminder:run',
  /** Turn two-factor sign-in on or off for one's own account, and renew its recovery codes. */
  'two-factor:manage',
  /** A session's treatment records: what was done, materials used, clinical notes. */
  'treatment-record:read',
  /** Record a session's treatment, edit it until it is signed, sign it, amend it after. */
  'treatment-record:write',
  /** Inventory items, their stock, transactions and low-stock list; scanning an item's barcode. */
  'inventory:read',
  /** Add and change items; receive and adjust stock. */
  'inventory:manage',
  /** Ask for stock to be reordered. */
  'reorder:request',
  /** Approve or reject a reorder request. */
  'reorder:decide',
  /** The clinic's package and subscription plans, and patients' packages with their balance. */
  'package:read',
  /** Define, change and archive plans. */
  'package:manage',
  /** Sell a plan to a patient, pause, resume or cancel it at period end. */
  'package:sell',
  /** Progress report templates (sections and fields per therapy type). */
  'progress-template:read',
  'progress-template:manage',
  /** Progress reports: their clinical content, PDF and comparison. */
  'progress-report:read',
  /** Write, change (while a draft) and sign one's own reports. */
  'progress-report:write',
  /** Send a signed report to the patient or guardian as an expiring download link. */
  'progress-report:share',
  /** A patient's allergies, medications, medical notes and address. */
  'patient-clinical:read',
  'patient-clinical:update',
  /** A patient's emergency contact (the front desk needs it; the clinical fields it does not). */
  'patient-emergency-contact:read',
  'patient-emergency-contact:update',
  /** The practitioner's own day: schedule, patients and pending actions (/me). */
  'practitioner-day:read',
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
const FRONT_DESK: Permission[] = ['schedule:read', 'appointment:read', 'appointment:book', 'appointment:manage', 'package:read', 'package:sell'];
/** Practitioners see the calendar, run their sessions and ask to move them; they do not book. */
const PRACTITIONER: Permission[] = ['schedule:read', 'appointment:read', 'appointment:manage', 'reschedule:request', 'package:read'];
/** Who runs sessions records them, and looks up the materials they use. */
const CLINICAL: Permission[] = ['treatment-record:read', 'treatment-record:write', 'inventory:read'];
const STOCK: Permission[] = ['inventory:read', 'inventory:manage', 'reorder:request'];
/** Emergency contact only: the front desk calls it, and sees nothing clinical. */
const EMERGENCY_CONTACT: Permission[] = ['patient-emergency-contact:read', 'patient-emergency-contact:update'];
/** Clinical roles (for their own patients) and admins: the clinical fields and the emergency contact. */
const CLINICAL_FIELDS: Permission[] = ['patient-clinical:read', 'patient-clinical:update', ...EMERGENCY_CONTACT];
/** Those who write and sign progress reports and see their own day. */
const CLINICAL_DOCUMENTATION: Permission[] = ['progress-template:read', 'progress-report:read', 'progress-report:write', 'progress-report:share', 'practitioner-day:read'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  SUPER_ADMIN: PERMISSIONS,
  OPS: ['clinic:list', 'clinic:read', 'staff:read', 'licensing:read', 'licensing:check', 'audit:read', 'message:read', 'codec:decode', 'two-factor:manage'],
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
    'invoice:correct',
    'notification:manage',
    'payment-reminder:run',
    'two-factor:manage',
    ...CLINICAL,
    'inventory:manage',
    'reorder:request',
    'reorder:decide',
    'package:manage',
    'progress-template:read',
    'progress-template:manage',
    'progress-report:read',
    'progress-report:share',
    ...CLINICAL_FIELDS,
    // An admin who also treats patients sees their own day; for the others it is empty.
    'practitioner-day:read',
    ...EXPENSE_BOOKS,
  ],
  MANAGER: [
    ...CLINIC_READ,
    'staff:read',
    ...PATIENT_DESK,
    ...FRONT_DESK,
    'schedule:manage',
    'reschedule:decide',
    'treatment-record:read',
    'inventory:read',
    'reorder:request',
    'package:manage',
    'progress-template:read',
    'progress-template:manage',
    ...EMERGENCY_CONTACT,
    'report:read',
  ],
  DOCTOR: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', ...PRACTITIONER, ...CLINICAL, ...CLINICAL_FIELDS, ...CLINICAL_DOCUMENTATION],
  THERAPIST: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', ...PRACTITIONER, ...CLINICAL, ...CLINICAL_FIELDS, ...CLINICAL_DOCUMENTATION],
  NURSE: [...CLINIC_READ, 'staff:read', 'patient:read', 'patient:update', 'message:read', 'schedule:read', 'appointment:read', 'appointment:manage', 'package:read', ...CLINICAL, ...CLINICAL_FIELDS, ...CLINICAL_DOCUMENTATION],
  RECEPTIONIST: [...CLINIC_READ, 'staff:read', ...PATIENT_DESK, ...FRONT_DESK, ...EMERGENCY_CONTACT],
  ACCOUNTANT: [...CLINIC_READ, 'patient:read', 'appointment:read', 'payment:read', 'payment:record', 'invoice:correct', 'inventory:read', 'package:read', 'package:sell', ...EXPENSE_BOOKS],
  /** Keeps the stock: items, receipts, counts and reorder requests; no patients, no sessions. */
  INVENTORY_MANAGER: [...CLINIC_READ, 'staff:read', 'schedule:read', ...STOCK],
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
  // Stock is the clinic's; no patient records are in the role's permissions.
  INVENTORY_MANAGER: 'clinic',
};
