/** What the API shows of each row: never password hashes, dates as ISO strings. */
import { type Appointment, type Clinic, type Patient, type RescheduleRequest, type StaffUser } from '../prisma/generated/client';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const isoDate = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export function presentClinic(c: Clinic) {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    timezone: c.timezone,
    licenseTier: c.licenseTierCode,
    subscriptionStatus: c.subscriptionStatus,
    currency: c.currency,
    settings: c.settings as Record<string, unknown>,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function presentStaff(s: StaffUser) {
  return {
    id: s.id,
    clinicId: s.clinicId,
    email: s.email,
    firstName: s.firstName,
    lastName: s.lastName,
    phone: s.phone,
    role: s.role,
    active: s.active,
    lastLoginAt: iso(s.lastLoginAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function presentPatient(p: Patient) {
  return {
    id: p.id,
    clinicId: p.clinicId,
    firstName: p.firstName,
    lastName: p.lastName,
    dateOfBirth: isoDate(p.dateOfBirth),
    gender: p.gender,
    email: p.email,
    phone: p.phone,
    preferredLanguage: p.preferredLanguage,
    preferredChannels: p.preferredChannels,
    optedOutChannels: p.optedOutChannels,
    guardian: p.guardianName
      ? { name: p.guardianName, relationship: p.guardianRelationship ?? '', phone: p.guardianPhone, email: p.guardianEmail }
      : null,
    barcode: p.barcode,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function presentAppointment(a: Appointment) {
  return {
    id: a.id,
    clinicId: a.clinicId,
    reservationId: a.reservationId,
    patientId: a.patientId,
    practitionerId: a.practitionerId,
    therapyTypeId: a.therapyTypeId,
    type: a.type,
    bookingMode: a.bookingMode,
    status: a.status,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    reason: a.reason,
    price: a.price?.toFixed(2) ?? null,
    currency: a.currency,
    patientPackageId: a.patientPackageId,
    workflowId: a.workflowId,
    confirmedAt: iso(a.confirmedAt),
    checkedInAt: iso(a.checkedInAt),
    startedAt: iso(a.startedAt),
    completedAt: iso(a.completedAt),
    cancelledAt: iso(a.cancelledAt),
    cancelReason: a.cancelReason,
    noShowAt: iso(a.noShowAt),
    followUpRequired: a.followUpRequired,
    followUpDate: isoDate(a.followUpDate),
    notes: a.notes,
    createdAt: a.createdAt.toISOString(),
  };
}

export function presentRescheduleRequest(r: RescheduleRequest) {
  return {
    id: r.id,
    clinicId: r.clinicId,
    appointmentId: r.appointmentId,
    therapistId: r.therapistId,
    requestedStartsAt: r.requestedStartsAt.toISOString(),
    reason: r.reason,
    status: r.status,
    decidedById: r.decidedById,
    decisionNotes: r.decisionNotes,
    decidedAt: iso(r.decidedAt),
    workflowId: r.workflowId,
    createdAt: r.createdAt.toISOString(),
  };
}
