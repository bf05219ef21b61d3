/**
 * The seed runs at every start of the local stack: it must create the demo data once, never
 * duplicate it, and never undo what people changed afterwards (passwords above all).
 */
import { sectionsOf } from '../domain/progress-reports';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { maskProvider, openProvider, storedProvidersSchema } from './communication-config';
import { CredentialCipher } from './credential-cipher';
import { dashboardReport, financialReport } from '../api/services/reports';
import { DEMO_CLINIC_ID, DEMO_PATIENTS, DEMO_STAFF, describeSeed, type SeedOptions, seedDatabase } from './seed';

const OPTIONS: SeedOptions = {
  superAdmin: { email: 'Root@ClinicFlow.test', password: 'super-admin-password-1' },
  demoStaffPassword: 'demo-staff-password-1',
  seedDemo: true,
  bcryptCost: 4,
};

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

async function rowCounts() {
  const { prisma } = db;
  return { clinics: await prisma.clinic.count(), staff: await prisma.staffUser.count(), patients: await prisma.patient.count() };
}

test('seeds the super admin, the demo clinic, its staff and patients', async () => {
  const summary = await seedDatabase(db.prisma, OPTIONS);
  assert.deepEqual(summary.skipped, []);
  assert.deepEqual(summary.superAdmin, { email: 'root@clinicflow.test', role: 'SUPER_ADMIN', created: true });
  assert.equal(summary.demoClinic?.id, DEMO_CLINIC_ID);
  assert.equal(summary.demoClinic?.created, true);
  assert.equal(summary.demoStaff.filter((s) => s.created).length, DEMO_STAFF.length);
  assert.deepEqual(summary.demoPatients, { created: DEMO_PATIENTS.length, existing: 0 });
  assert.deepEqual(await rowCounts(), { clinics: 1, staff: 1 + DEMO_STAFF.length, patients: DEMO_PATIENTS.length });

  const clinic = await db.prisma.clinic.findUniqueOrThrow({ where: { id: DEMO_CLINIC_ID } });
  assert.deepEqual(
    { name: clinic.name, type: clinic.type, timezone: clinic.timezone, tier: clinic.licenseTierCode, status: clinic.subscriptionStatus },
    { name: 'Sunrise Therapy Centre', type: 'THERAPY_CENTER', timezone: 'Asia/Kolkata', tier: 'M', status: 'ACTIVE' },
  );

  // Logins compare lower-cased emails; the platform account belongs to no clinic.
  const root = await db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'root@clinicflow.test' } });
  assert.equal(root.clinicId, null);
  assert.ok(await bcrypt.compare('super-admin-password-1', root.passwordHash));

  const staff = await db.prisma.staffUser.findMany({ where: { clinicId: DEMO_CLINIC_ID } });
  const roles = staff.map((s) => s.role).sort();
  assert.deepEqual(roles, ['ACCOUNTANT', 'CLINIC_ADMIN', 'DOCTOR', 'INVENTORY_MANAGER', 'MANAGER', 'RECEPTIONIST', 'THERAPIST', 'THERAPIST']);
  for (const member of staff) assert.ok(await bcrypt.compare('demo-staff-password-1', member.passwordHash), member.email);

  const patients = await db.prisma.patient.findMany({ where: { clinicId: DEMO_CLINIC_ID } });
  assert.deepEqual(new Set(patients.map((p) => p.preferredLanguage)), new Set(['en', 'hi', 'es']));
  const minors = patients.filter((p) => p.guardianName !== null);
  assert.equal(minors.length, 1);
  assert.ok(minors[0]?.guardianRelationship && minors[0].guardianPhone);

  // Ready to book: therapy types, and working hours for each doctor and therapist.
  const types = await db.prisma.therapyType.findMany({ where: { clinicId: DEMO_CLINIC_ID } });
  assert.deepEqual(types.map((t) => t.name).sort(), ['Occupational therapy', 'Physiotherapy', 'Speech therapy']);
  const schedules = await db.prisma.practitionerSchedule.findMany({ where: { clinicId: DEMO_CLINIC_ID }, include: { practitioner: true } });
  assert.deepEqual(schedules.map((s) => s.practitioner.role).sort(), ['DOCTOR', 'THERAPIST', 'THERAPIST']);

  // Session records and stock: a barcoded catalogue, stocked items, and a signed record whose oil came off stock.
  assert.deepEqual(types.map((t) => t.barcode).sort(), ['TRT-OT', 'TRT-PHYSIO', 'TRT-SPEECH']);
  assert.ok(types.every((t) => t.categoryId && t.instructions));
  const items = await db.prisma.inventoryItem.findMany({ where: { clinicId: DEMO_CLINIC_ID }, orderBy: { sku: 'asc' } });
  assert.deepEqual(items.map((i) => [i.sku, i.quantity]), [['GLV-M', 4], ['OIL-500', 1970], ['TAPE-5CM', 12]]);
  const signed = await db.prisma.treatmentRecord.findMany({ where: { clinicId: DEMO_CLINIC_ID }, include: { versions: true, materials: true } });
  assert.equal(signed.length, 1);
  assert.deepEqual([signed[0]!.status, signed[0]!.versions.length, signed[0]!.materials[0]?.quantity], ['SIGNED', 1, 30]);
  const oilHistory = await db.prisma.inventoryTransaction.findMany({ where: { itemId: items[1]!.id }, orderBy: { quantityAfter: 'desc' } });
  assert.deepEqual(oilHistory.map((t) => [t.type, t.quantityChange, t.quantityAfter]), [['RECEIVE', 2000, 2000], ['USE', -30, 1970]]);
  // Ready to document a session: a physiotherapy report template.
  const template = await db.prisma.progressReportTemplate.findFirstOrThrow({ where: { clinicId: DEMO_CLINIC_ID }, include: { therapyType: true } });
  assert.equal(template.therapyType?.name, 'Physiotherapy');
  assert.deepEqual(sectionsOf(template.sections).flatMap((s) => s.fields.map((f) => f.type)), ['scale', 'scale', 'text', 'checkbox', 'goal']);
});

test("the demo clinic's reports have real numbers: sessions, revenue, dues, expenses", async () => {
  const clinic = await db.prisma.clinic.findUniqueOrThrow({ where: { id: DEMO_CLINIC_ID } });
  const ctx = { db: db.prisma, clinicId: DEMO_CLINIC_ID, timezone: clinic.timezone, currency: clinic.currency, now: new Date() };
  const { data } = await dashboardReport(ctx);
  assert.ok(Number(data.revenue.thisMonth) !== 0 || Number(data.revenue.thisWeek) !== 0 || new Date().getUTCDate() === 1, JSON.stringify(data.revenue));
  assert.ok(data.last30Days.sessions >= 10 && data.last30Days.noShows >= 1 && data.last30Days.cancellations >= 1, JSON.stringify(data.last30Days));
  assert.ok(Number(data.outstandingDues.total) > 0);
  assert.ok(data.utilisation.some((u) => u.bookedMinutes > 0 && u.workingMinutes > 0));
  const from = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
  const fin = await financialReport(ctx, { from, to: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) });
  assert.ok(Number(fin.data.revenue.received) > 0 && Number(fin.data.revenue.refunded) > 0 && Number(fin.data.expensesTotal) > 0, JSON.stringify(fin.data.revenue));
});

test('seeding again changes nothing and keeps changed passwords', async () => {
  const before = await rowCounts();
  const changedHash = await bcrypt.hash('changed-by-its-owner', 4);
  await db.prisma.staffUser.update({ where: { email: 'root@clinicflow.test' }, data: { passwordHash: changedHash } });
  await db.prisma.staffUser.update({ where: { email: DEMO_STAFF[0]?.email }, data: { passwordHash: changedHash } });
  await db.prisma.patient.update({
    where: { clinicId_barcode: { clinicId: DEMO_CLINIC_ID, barcode: 'SUN-000002' } },
    data: { phone: '+12025550199' },
  });

  const summary = await seedDatabase(db.prisma, OPTIONS);
  assert.equal(summary.superAdmin?.created, false);
  assert.equal(summary.demoClinic?.created, false);
  assert.ok(summary.demoStaff.every((s) => !s.created));
  assert.deepEqual(summary.demoPatients, { created: 0, existing: DEMO_PATIENTS.length });
  assert.deepEqual(await rowCounts(), before);
  assert.equal(await db.prisma.therapyType.count({ where: { clinicId: DEMO_CLINIC_ID } }), 3);
  assert.equal(await db.prisma.practitionerSchedule.count({ where: { clinicId: DEMO_CLINIC_ID } }), 3);
  assert.equal(await db.prisma.progressReportTemplate.count({ where: { clinicId: DEMO_CLINIC_ID } }), 1);

  const root = await db.prisma.staffUser.findUniqueOrThrow({ where: { email: 'root@clinicflow.test' } });
  const admin = await db.prisma.staffUser.findUniqueOrThrow({ where: { email: DEMO_STAFF[0]?.email } });
  assert.equal(root.passwordHash, changedHash);
  assert.equal(admin.passwordHash, changedHash);
  const patient = await db.prisma.patient.findUniqueOrThrow({
    where: { clinicId_barcode: { clinicId: DEMO_CLINIC_ID, barcode: 'SUN-000002' } },
  });
  assert.equal(patient.phone, '+12025550199');
});

test('two seeds at once still create each row once', async () => {
  const fresh = await createTestDatabase();
  try {
    await Promise.all([seedDatabase(fresh.prisma, OPTIONS), seedDatabase(fresh.prisma, OPTIONS)]);
    assert.equal(await fresh.prisma.clinic.count(), 1);
    assert.equal(await fresh.prisma.staffUser.count(), 1 + DEMO_STAFF.length);
    assert.equal(await fresh.prisma.patient.count(), DEMO_PATIENTS.length);
  } finally {
    await fresh.drop();
  }
});

test('configures no channel of the demo clinic unless the launcher runs its mail inbox', async () => {
  // The first tests seeded without demoInbox.
  assert.equal(await db.prisma.communicationConfig.count(), 0);
});

describe("the demo clinic's email to the local mail inbox", () => {
  const cipher = new CredentialCipher(new Map([['local-1', randomBytes(32).toString('base64')]]), 'local-1');
  const where = { clinicId: DEMO_CLINIC_ID, channel: 'email' };
  let fresh: TestDatabase;
  before(async () => {
    fresh = await createTestDatabase();
  });
  after(async () => {
    await fresh.drop();
  });
  const emailConfig = () => fresh.prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId: DEMO_CLINIC_ID, channel: 'email' } } });

  test('is configured once, as the API stores it, with the password sealed', async () => {
    const summary = await seedDatabase(fresh.prisma, { ...OPTIONS, demoInbox: { smtpPort: 2525, cipher } });
    assert.deepEqual(summary.demoEmail, { created: true });
    assert.ok(describeSeed(summary).includes('demo clinic email: sent to the local mail inbox'));

    const row = await emailConfig();
    assert.ok(row);
    assert.equal(row.enabled, true);
    assert.deepEqual(row.settings, { rateLimits: {}, retryAttempts: 3, defaultLanguage: 'en', fallbackToGlobal: true });
    const [stored, ...others] = storedProvidersSchema.parse(row.providers);
    assert.ok(stored);
    assert.equal(others.length, 0);
    const credentials = openProvider(cipher, where, stored);
    assert.deepEqual({ ...credentials, password: undefined }, {
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      username: 'sunrise',
      password: undefined,
      fromAddress: 'appointments@sunrise.clinicflow.test',
      fromName: 'Sunrise Therapy Centre',
    });
    const password = String(credentials.password);
    assert.ok(password.length >= 16, 'a random password');
    // Sealed, not plain: the password appears nowhere in the stored JSON, only sealed under secrets.
    assert.ok(!JSON.stringify(row.providers).includes(password), 'the password is not stored in clear');
    assert.deepEqual(Object.keys(stored.secrets), ['password']);
    assert.match(stored.secrets.password ?? '', /^v1\.local-1\./);
    assert.equal(stored.settings.password, undefined);
    assert.equal(maskProvider(stored).credentials.password, `****${password.slice(-4)}`);
  });

  test('is left alone when the email is configured already, even by the seed itself', async () => {
    const before = await emailConfig();
    const again = await seedDatabase(fresh.prisma, { ...OPTIONS, demoInbox: { smtpPort: 2626, cipher } });
    assert.deepEqual(again.demoEmail, { created: false });
    assert.ok(describeSeed(again).includes('demo clinic email: already configured, left as it is'));
    assert.deepEqual(await emailConfig(), before, 'the same row, password and port');

    // An admin's own configuration (here: another server, disabled) is never replaced.
    const admins = [{ provider: 'smtp', settings: { host: 'smtp.example.com', port: 587 }, secrets: {}, hints: {} }];
    await fresh.prisma.communicationConfig.update({ where: { id: before?.id }, data: { enabled: false, providers: admins } });
    await seedDatabase(fresh.prisma, { ...OPTIONS, demoInbox: { smtpPort: 2525, cipher } });
    const after = await emailConfig();
    assert.equal(after?.enabled, false);
    assert.deepEqual(after?.providers, admins);
    assert.equal(await fresh.prisma.communicationConfig.count(), 1);
  });
});

test('seeds only the super admin when the demo is off, and says what it skipped', async () => {
  const fresh = await createTestDatabase();
  try {
    const summary = await seedDatabase(fresh.prisma, { ...OPTIONS, seedDemo: false });
    assert.equal(summary.demoClinic, undefined);
    assert.equal(await fresh.prisma.clinic.count(), 0);
    assert.equal(await fresh.prisma.staffUser.count(), 1);

    const withoutAccounts = await seedDatabase(fresh.prisma, { seedDemo: true, bcryptCost: 4 });
    assert.equal(withoutAccounts.skipped.length, 2);
    assert.equal(await fresh.prisma.clinic.count(), 1);
    assert.equal(await fresh.prisma.staffUser.count(), 1);
    assert.equal(await fresh.prisma.patient.count(), DEMO_PATIENTS.length);
  } finally {
    await fresh.drop();
  }
});
