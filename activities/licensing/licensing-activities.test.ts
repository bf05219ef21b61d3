import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AlertPlan } from '../../domain/licensing';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createLicensingActivities } from './licensing-activities';

let db: TestDatabase;
let acts: ReturnType<typeof createLicensingActivities>;
let clinicA: string;
let clinicB: string;

before(async () => {
  db = await createTestDatabase();
  acts = createLicensingActivities({ prisma: db.prisma });
  const mk = (name: string) => db.prisma.clinic.create({ data: { name, timezone: 'UTC', licenseTierCode: 'S' } });
  [clinicA, clinicB] = [(await mk('A')).id, (await mk('B')).id];
  const staff = (clinicId: string, n: number, active = true) =>
    db.prisma.staffUser.createMany({ data: Array.from({ length: n }, (_, i) => ({ clinicId, email: `${clinicId}-${i}-${active}@t.test`, passwordHash: 'x', firstName: 'S', lastName: `${i}`, role: 'NURSE' as const, active })) });
  await staff(clinicA, 4);
  await staff(clinicA, 2, false);
  await staff(clinicB, 5);
  await db.prisma.patient.createMany({ data: Array.from({ length: 3 }, (_, i) => ({ clinicId: clinicA, firstName: 'P', lastName: `${i}`, barcode: `A-${i}` })) });
});
after(async () => db?.drop());

const warning: AlertPlan = { raise: [{ metric: 'STAFF', level: 'WARNING', usage: 4, limit: 5, percent: 80 }], clear: [] };

test('the snapshot counts only this clinic\'s active staff and patients, with its tier limits', async () => {
  const snapshot = await acts.loadLicenseSnapshot({ clinicId: clinicA, date: '2026-11-21' });
  assert.deepEqual(snapshot, {
    clinicId: clinicA,
    tierCode: 'S',
    limits: { maxStaff: 5, maxPatients: 250, maxAppointmentsPerMonth: 600 },
    usage: { staff: 4, patients: 3, appointments: 0 },
    openAlerts: [],
  });
  assert.equal(await acts.loadLicenseSnapshot({ clinicId: '01900000-0000-7000-8000-00000000dead', date: '2026-11-21' }), null);
});

test('recording the same day twice keeps one row with the latest figures', async () => {
  const input = { clinicId: clinicA, date: '2026-11-20', tierCode: 'S', limits: { maxStaff: 5, maxPatients: 250, maxAppointmentsPerMonth: 600 } };
  await acts.recordLicenseUsage({ ...input, usage: { staff: 3, patients: 1, appointments: 0 } });
  await acts.recordLicenseUsage({ ...input, usage: { staff: 4, patients: 3, appointments: 0 } });
  const rows = await db.prisma.licenseUsage.findMany({ where: { clinicId: clinicA, date: new Date('2026-11-20') } });
  assert.deepEqual(rows.map((r) => [r.staffCount, r.patientCount]), [[4, 3]]);
});

test('a retried alert activity raises the alert once', async () => {
  const input = { clinicId: clinicA, date: '2026-11-21', workflowId: 'licensing/a/2026-11-21', plan: warning };
  assert.deepEqual(await acts.applyLicenseAlertPlan(input), { raised: 1, cleared: 0 });
  assert.deepEqual(await acts.applyLicenseAlertPlan(input), { raised: 0, cleared: 0 });
  assert.equal(await db.prisma.licenseAlert.count({ where: { clinicId: clinicA } }), 1);
});

test('two checks racing on different days still leave one open alert per crossing', async () => {
  const results = await Promise.all(
    ['2026-11-22', '2026-11-23', '2026-11-24'].map((date) => acts.applyLicenseAlertPlan({ clinicId: clinicB, date, workflowId: `licensing/b/${date}`, plan: warning })),
  );
  assert.equal(results.reduce((n, r) => n + r.raised, 0), 1);
  assert.equal(await db.prisma.licenseAlert.count({ where: { clinicId: clinicB, clearedAt: null } }), 1);
});

test('clearing closes the open alert so the next crossing can raise a new one', async () => {
  await acts.applyLicenseAlertPlan({ clinicId: clinicA, date: '2026-11-25', workflowId: 'w', plan: { raise: [], clear: [{ metric: 'STAFF', level: 'WARNING' }] } });
  assert.equal(await db.prisma.licenseAlert.count({ where: { clinicId: clinicA, clearedAt: null } }), 0);
  assert.deepEqual(await acts.applyLicenseAlertPlan({ clinicId: clinicA, date: '2026-11-26', workflowId: 'w2', plan: warning }), { raised: 1, cleared: 0 });
  assert.equal(await db.prisma.licenseAlert.count({ where: { clinicId: clinicA } }), 2);
});

test('clinics are listed in pages by id', async () => {
  const first = await acts.listClinicsForLicensing({ limit: 1 });
  const second = await acts.listClinicsForLicensing({ afterClinicId: first[0]!.id, limit: 1 });
  const third = await acts.listClinicsForLicensing({ afterClinicId: second[0]!.id, limit: 1 });
  assert.deepEqual(new Set([first[0]!.id, second[0]!.id]), new Set([clinicA, clinicB]));
  assert.deepEqual(third, []);
});
