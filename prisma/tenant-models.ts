import { type Prisma } from './generated/client';

/**
 * Models that belong to one clinic, and the field that names it. The tenant extension scopes
 * every query on them; a test fails when schema.prisma gains a clinicId model missing here.
 */
export const TENANT_SCOPE_FIELD: Readonly<Partial<Record<Prisma.ModelName, 'clinicId' | 'id'>>> = {
  Clinic: 'id',
  StaffUser: 'clinicId',
  Patient: 'clinicId',
  LicenseUsage: 'clinicId',
  LicenseAlert: 'clinicId',
  LicenseChangeRequest: 'clinicId',
  AuditLog: 'clinicId',
  RefreshToken: 'clinicId',
  CommunicationConfig: 'clinicId',
  Message: 'clinicId',
  MessageAttempt: 'clinicId',
  Suppression: 'clinicId',
  DeviceToken: 'clinicId',
  ProviderCircuit: 'clinicId',
  RateLimitWindow: 'clinicId',
  MessageBatch: 'clinicId',
  MessagingAlert: 'clinicId',
  ProviderProbe: 'clinicId',
  TherapyType: 'clinicId',
  PractitionerPricing: 'clinicId',
  PractitionerSchedule: 'clinicId',
  Appointment: 'clinicId',
  AppointmentMonthUsage: 'clinicId',
  RescheduleRequest: 'clinicId',
  Payment: 'clinicId',
  CreditEntry: 'clinicId',
  PaymentReminderRun: 'clinicId',
  PaymentReminder: 'clinicId',
  Expense: 'clinicId',
};
