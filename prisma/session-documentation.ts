/**
 * When a session counts as documented: it has a signed progress report. The one definition, used
 * by the documentation deadline's activities and by the practitioner's pending list and patients.
 * Treatment records, once they exist, count too: add `{ treatmentRecords: { some: { signedAt: { not: null } } } }`
 * to DOCUMENTED.OR.
 */
import { type Prisma } from './generated/client';

export const DOCUMENTED: Prisma.AppointmentWhereInput = { OR: [{ progressReports: { some: { status: 'SIGNED' } } }] };

/** Completed sessions still waiting for their signed documentation. */
export const AWAITING_DOCUMENTATION: Prisma.AppointmentWhereInput = { status: 'COMPLETED', NOT: DOCUMENTED };
