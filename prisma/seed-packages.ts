/**
 * Demo packages for `npm start`: a package plan and a subscription plan of the demo clinic, and a
 * patient (Ananya Gupta, SUN-000002) who bought the package, paid in cash. Fixed ids: running the
 * seed again adds nothing. The package's workflow starts the first time staff steer it (or sell
 * another): the seed itself does not talk to Temporal.
 */
import { type PrismaClient } from './client';

const PLAN_ID = '019a0000-0000-7000-8000-00000000e001';
const SUBSCRIPTION_PLAN_ID = '019a0000-0000-7000-8000-00000000e002';
const PACKAGE_ID = '019a0000-0000-7000-8000-00000000e101';
const DAY = 86_400_000;

export async function ensureDemoPackages(prisma: PrismaClient, clinicId: string, now = new Date()): Promise<void> {
  const types = await prisma.therapyType.findMany({ where: { clinicId }, select: { id: true, name: true } });
  const physio = types.find((t) => t.name === 'Physiotherapy');
  const patient = await prisma.patient.findFirst({ where: { clinicId, barcode: 'SUN-000002' }, select: { id: true } });
  if (!physio || !patient || (await prisma.packagePlan.findFirst({ where: { id: PLAN_ID }, select: { id: true } }))) return;
  const others = types.filter((t) => t.name !== 'Physiotherapy').map((t) => t.id);
  await prisma
    .$transaction(async (tx) => {
    await tx.packagePlan.create({ data: { id: PLAN_ID, clinicId, name: '10 physiotherapy sessions', kind: 'PACKAGE', sessions: 10, validityDays: 90, price: '9000.00', currency: 'INR', therapyTypeIds: [physio.id] } });
    await tx.packagePlan.create({ data: { id: SUBSCRIPTION_PLAN_ID, clinicId, name: '4 therapy sessions a month', kind: 'SUBSCRIPTION', sessions: 4, price: '4000.00', currency: 'INR', therapyTypeIds: others } });
    await tx.patientPackage.create({
      data: {
        id: PACKAGE_ID,
        clinicId,
        patientId: patient.id,
        planId: PLAN_ID,
        kind: 'PACKAGE',
        name: '10 physiotherapy sessions',
        therapyTypeIds: [physio.id],
        sessionsPerPeriod: 10,
        sessionsRemaining: 10,
        price: '9000.00',
        currency: 'INR',
        status: 'ACTIVE',
        periodStart: now,
        expiresAt: new Date(now.getTime() + 90 * DAY),
        idempotencyKey: `demo-${PACKAGE_ID}`,
        workflowId: `package/${clinicId}/${PACKAGE_ID}`,
      },
    });
    const charge = await tx.packageCharge.create({ data: { clinicId, patientPackageId: PACKAGE_ID, patientId: patient.id, kind: 'PURCHASE', period: 1, amount: '9000.00', currency: 'INR', status: 'PAID', paidAt: now } });
    await tx.payment.create({ data: { clinicId, patientId: patient.id, packageChargeId: charge.id, amount: '9000.00', currency: 'INR', method: 'CASH', note: 'Purchase of 10 physiotherapy sessions', idempotencyKey: `demo-package-${PACKAGE_ID}` } });
    })
    .catch((err: unknown) => {
      // Another seed running at the same time wrote them first: they are there, once.
      if ((err as { code?: string }).code !== 'P2002') throw err;
    });
}
