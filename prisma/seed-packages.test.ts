/** The demo packages of `npm start`: a package plan, a subscription plan and a patient using the package, seeded once. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { packageSales } from './package-accounts';
import { outstandingDues } from './patient-accounts';
import { DEMO_CLINIC_ID, type SeedOptions, seedDatabase } from './seed';

const OPTIONS: SeedOptions = { demoStaffPassword: 'demo-staff-password-1', seedDemo: true, bcryptCost: 4 };

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

test('the demo clinic has a package plan and a patient using it, once however often the seed runs', async () => {
  await seedDatabase(db.prisma, OPTIONS);
  await seedDatabase(db.prisma, OPTIONS);
  const plans = await db.prisma.packagePlan.findMany({ where: { clinicId: DEMO_CLINIC_ID }, orderBy: { name: 'asc' } });
  assert.deepEqual(plans.map((p) => [p.name, p.kind, p.sessions]), [['10 physiotherapy sessions', 'PACKAGE', 10], ['4 therapy sessions a month', 'SUBSCRIPTION', 4]]);
  const [pkg, ...more] = await db.prisma.patientPackage.findMany({ where: { clinicId: DEMO_CLINIC_ID }, include: { patient: true } });
  assert.equal(more.length, 0);
  assert.deepEqual([pkg?.patient.barcode, pkg?.status, pkg?.sessionsRemaining], ['SUN-000002', 'ACTIVE', 10]);
  const sales = await packageSales(db.prisma, DEMO_CLINIC_ID, new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000));
  assert.deepEqual([sales.total, sales.count, sales.currency], ['9000.00', 1, 'INR']);
  const dues = await outstandingDues(db.prisma, DEMO_CLINIC_ID, pkg!.patientId, 'INR');
  // The package's 9,000.00 pays for the package: none of it is money on account for her sessions
  // (the report demo gives her some, which she owes).
  assert.equal(dues.onAccount, '0.00');
});
