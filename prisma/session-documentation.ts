/**
 * When a session counts as documented: it has a signed progress report or a signed treatment
 * record. The one definition, used by the documentation deadline's activities and by the
 * practitioner's pending list and patients.
 */
import { type Prisma } from './generated/client';

export const DOCUMENTED: Prisma.AppointmentWhereInput = { OR: [{ progressReports: { some: { status: 'SIGNED' } } }, { treatmentRecords: { some: { status: 'SIGNED' } } }] };

/** Completed sessions still waiting for their signed documentation. */
export const AWAITING_DOCUMENTATION: Prisma.AppointmentWhereInput = { status: 'COMPLETED', NOT: DOCUMENTED };
