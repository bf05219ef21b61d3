/**
 * Demo data for the owner's reports (`npm start`): a fortnight of past sessions with the demo
 * clinic's practitioners, their payments (one refund), a no-show, a cancellation and this month's
 * expenses, so GET /reports/dashboard answers with real numbers. Fixed ids: seeding again adds
 * nothing. Dates are relative to the first seeding. The rows are marked as having their workflow
 * (workflowStartedAt), so the start reconciler leaves these finished sessions alone.
 */
import { type PrismaClient } from './client';

const id = (kind: number, n: number) => `019a0000-0000-7000-8000-0000000${kind}${String(n).padStart(4, '0')}`;
const STATUSES = ['COMPLETED', 'COMPLETED', 'COMPLETED', 'NO_SHOW', 'COMPLETED', 'CANCELLED', 'COMPLETED'] as const;
const METHODS = ['CASH', 'UPI', 'CARD', 'BANK_TRANSFER'] as const;

export async function ensureDemoReportData(prisma: PrismaClient, clinicId: string, now = new Date()): Promise<void> {
  if (await prisma.appointment.findUnique({ where: { id: id(7, 1) }, select: { id: true } })) return;
  const practitioners = await prisma.staffUser.findMany({ where: { clinicId, role: { in: ['DOCTOR', 'THERAPIST'] } }, orderBy: { email: 'asc' }, select: { id: true } });
  const patients = await prisma.patient.findMany({ where: { clinicId }, orderBy: { barcode: 'asc' }, take: 6, select: { id: true } });
  const types = await prisma.therapyType.findMany({ where: { clinicId }, orderBy: { name: 'asc' }, select: { id: true, defaultPrice: true, defaultDurationMinutes: true } });
  if (practitioners.length === 0 || patients.length === 0 || types.length === 0) return;
  const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } });

  // Fourteen sessions, one every 26 hours back from an hour ago: each practitioner's never overlap.
  const sessions = Array.from({ length: 14 }, (_, k) => {
    const type = types[k % types.length]!;
    const startsAt = new Date(now.getTime() - (1 + 26 * k) * 3_600_000 - type.defaultDurationMinutes * 60_000);
    const endsAt = new Date(startsAt.getTime() + type.defaultDurationMinutes * 60_000);
    const status = STATUSES[k % STATUSES.length]!;
    return {
      id: id(7, k + 1), clinicId, reservationId: `APT-DEMOR${String(k + 1).padStart(3, '0')}`, patientId: patients[k % patients.length]!.id,
      practitionerId: practitioners[k % practitioners.length]!.id, therapyTypeId: type.id, type: 'TREATMENT' as const, bookingMode: 'SPECIFIC_TIME' as const,
      status, startsAt, endsAt, price: type.defaultPrice, currency: clinic.currency,
      ...(status === 'COMPLETED' ? { completedAt: endsAt } : status === 'CANCELLED' ? { cancelledAt: startsAt, cancelReason: 'Patient unwell' } : { noShowAt: endsAt }),
      idempotencyKey: `demo-report-${k + 1}`, workflowId: `appointment/${clinicId}/${id(7, k + 1)}`, workflowStartedAt: now,
    };
  });
  await prisma.appointment.createMany({ data: sessions, skipDuplicates: true });

  // Most completed sessions paid in full, every third one half, one refund of a part.
  const payments = sessions
    .filter((s) => s.status === 'COMPLETED')
    .map((s, k) => ({
      id: id(8, k + 1), clinicId, patientId: s.patientId, appointmentId: s.id, currency: clinic.currency, method: METHODS[k % METHODS.length]!,
      amount: k % 3 === 2 ? s.price.div(2).toDecimalPlaces(2) : s.price, idempotencyKey: `demo-report-pay-${k + 1}`, createdAt: new Date(s.endsAt.getTime() + 10 * 60_000),
    }));
  const refunded = payments[0];
  if (refunded) payments.push({ ...refunded, id: id(8, 99), amount: refunded.amount.div(4).toDecimalPlaces(2).negated(), idempotencyKey: 'demo-report-refund-1', createdAt: new Date(now.getTime() - 30 * 60_000) });
  await prisma.payment.createMany({ data: payments.map((p) => ({ ...p, ...(p.amount.isNegative() ? { refundReason: 'Part of the session was cut short' } : {}) })), skipDuplicates: true });

  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  await prisma.expense.createMany({
    data: [
      { id: id(9, 1), clinicId, category: 'rent', amount: '45000.00', date: monthStart, vendor: 'Sunrise Properties', paymentMethod: 'BANK_TRANSFER' as const, currency: clinic.currency },
      { id: id(9, 2), clinicId, category: 'supplies', amount: '3250.50', date: today, vendor: 'MediSupply', paymentMethod: 'CARD' as const, note: 'Therapy bands and gel', currency: clinic.currency },
      { id: id(9, 3), clinicId, category: 'utilities', amount: '2890.00', date: monthStart, vendor: 'City Power', paymentMethod: 'UPI' as const, currency: clinic.currency },
    ],
    skipDuplicates: true,
  });
}
