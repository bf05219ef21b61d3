/**
 * The ownership scope: inside the tenant, which records a caller may reach. Practitioners
 * (domain/permissions.ts ROLE_REACH 'own') reach the appointments where they are the
 * practitioner and the patients they treat; everyone else reaches the whole clinic. resolveTenant
 * puts it on req.tenant.ownership; handlers AND its filters into their queries, so a record out of
 * reach is simply not found (404, like another clinic's).
 */
import { ROLE_REACH } from '../../domain/permissions';
import { type Prisma } from '../../prisma/generated/client';
import { type AuthContext } from '../http/context';

export interface OwnershipScope {
  /** The practitioner whose own records the caller reaches; null: the whole clinic. */
  practitionerId: string | null;
  appointment: Prisma.AppointmentWhereInput;
  patient: Prisma.PatientWhereInput;
  /** A patient's messages; messages to bare addresses belong to no patient and so to the whole clinic's staff only. */
  message: Prisma.MessageWhereInput;
  rescheduleRequest: Prisma.RescheduleRequestWhereInput;
  payment: Prisma.PaymentWhereInput;
  /** Whose calendar and free slots the caller may read. */
  practitioner: Prisma.StaffUserWhereInput;
}

const WHOLE_CLINIC: OwnershipScope = { practitionerId: null, appointment: {}, patient: {}, message: {}, rescheduleRequest: {}, payment: {}, practitioner: {} };

export function ownershipScope(auth: Pick<AuthContext, 'userId' | 'role'>): OwnershipScope {
  if (ROLE_REACH[auth.role] === 'clinic') return WHOLE_CLINIC;
  const practitionerId = auth.userId;
  // Past or future, any session but a cancelled one makes the patient theirs (see ROLE_REACH).
  const patient: Prisma.PatientWhereInput = { appointments: { some: { practitionerId, status: { not: 'CANCELLED' } } } };
  return {
    practitionerId,
    appointment: { practitionerId },
    patient,
    message: { patient },
    rescheduleRequest: { appointment: { practitionerId } },
    payment: { patient },
    practitioner: { id: practitionerId },
  };
}
