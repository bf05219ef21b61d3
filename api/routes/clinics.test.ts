/** Clinic onboarding and settings: platform staff versus clinic admins, audit rows, tenant visibility. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError, detailPaths } from '../../test/support/errors';

const CLINICS = '/api/v1/clinics';

interface ClinicBody {
  id: string;
  name: string;
  type: string;
  timezone: string;
  licenseTier: string;
  subscriptionStatus: string;
  settings: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  admin?: { id: string; email: string; role: string };
}

let seq = 0;
const uniqueEmail = (label: string) => `${label}-${++seq}-${Math.random().toString(36).slice(2, 8)}@clinics.test`;
const ADMIN_PASSWORD = 'a-long-enough-admin-password';

function newClinicBody(overrides: Record<string, unknown> = {}, admin: Record<string, unknown> = {}) {
  return {
    name: `Riverside Physio ${++seq}`,
    type: 'THERAPY_CENTER',
    timezone: 'Europe/Berlin',
    licenseTier: 'M',
    settings: { reminderHours: [24, 2] },
    admin: { email: uniqueEmail('admin'), password: ADMIN_PASSWORD, firstName: 'Grace', lastName: 'Hopper', phone: '+49 30 1234567', ...admin },
    ...overrides,
  };
}

describe('clinics', () => {
  let api: TestApi;
  let superAdmin: Actor;

  before(async () => {
    api = await startTestApi();
    superAdmin = await actor(api, 'SUPER_ADMIN', null);
  });
  after(async () => {
    await api.close();
  });

  test('SUPER_ADMIN creates a clinic with its first CLINIC_ADMIN, audited without secrets', async () => {
    const body = newClinicBody({}, { email: `Mixed.Case-${++seq}@Clinics.Test` });
    const res = await api.http.post(CLINICS).set(bearer(superAdmin)).send(body).expect(201);
    const created = res.body as ClinicBody;
    assert.equal(created.name, body.name);
    assert.equal(created.type, 'THERAPY_CENTER');
    assert.equal(created.timezone, 'Europe/Berlin');
    assert.equal(created.licenseTier, 'M');
    assert.equal(created.subscriptionStatus, 'ACTIVE');
    assert.deepEqual(created.settings, { reminderHours: [24, 2] });
    const adminEmail = body.admin.email.toLowerCase();
    assert.equal(created.admin?.email, adminEmail);
    assert.equal(created.admin?.role, 'CLINIC_ADMIN');
    assert.ok(!JSON.stringify(created).includes('passwordHash'));

    const clinic = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(clinic.licenseTierCode, 'M');
    const admin = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: created.admin?.id } });
    assert.equal(admin.clinicId, created.id);
    assert.equal(admin.role, 'CLINIC_ADMIN');
    assert.equal(admin.email, adminEmail);
    assert.equal(admin.active, true);
    assert.notEqual(admin.passwordHash, ADMIN_PASSWORD);
    assert.ok(await bcrypt.compare(ADMIN_PASSWORD, admin.passwordHash));

    const login = await api.http.post('/api/v1/auth/login').send({ email: body.admin.email, password: ADMIN_PASSWORD }).expect(200);
    assert.deepEqual((login.body as { user: unknown }).user, { id: admin.id, role: 'CLINIC_ADMIN', clinicId: created.id });

    const audits = await api.db.prisma.auditLog.findMany({ where: { clinicId: created.id }, orderBy: { createdAt: 'asc' } });
    const clinicAudit = audits.find((a) => a.action === 'clinic.create');
    const staffAudit = audits.find((a) => a.action === 'staff.create');
    assert.ok(clinicAudit && staffAudit, `audit rows: ${audits.map((a) => a.action).join(', ')}`);
    for (const a of [clinicAudit, staffAudit]) {
      assert.equal(a.actorId, superAdmin.id);
      assert.equal(a.actorRole, 'SUPER_ADMIN');
      assert.ok(a.requestId);
    }
    assert.equal(clinicAudit.entityType, 'Clinic');
    assert.equal(clinicAudit.entityId, created.id);
    assert.equal((clinicAudit.changes as { after: { name: string } }).after.name, body.name);
    assert.equal(staffAudit.entityType, 'StaffUser');
    assert.equal(staffAudit.entityId, admin.id);
    const staffChanges = staffAudit.changes as { after: Record<string, unknown> };
    assert.equal(staffChanges.after.email, adminEmail);
    assert.equal(staffChanges.after.role, 'CLINIC_ADMIN');
    const raw = JSON.stringify(staffAudit.changes);
    assert.ok(!raw.includes('passwordHash'), 'no passwordHash key');
    assert.ok(!raw.includes(admin.passwordHash), 'no hash value');
    assert.ok(!raw.includes(ADMIN_PASSWORD), 'no password');
  });

  test('a taken admin email is 409 EMAIL_TAKEN and leaves no clinic behind', async () => {
    const existing = await actor(api, 'DOCTOR', (await createClinic(api)).id);
    const clinicsBefore = await api.db.prisma.clinic.count();
    const body = newClinicBody({}, { email: existing.email.toUpperCase() });
    expectError(await api.http.post(CLINICS).set(bearer(superAdmin)).send(body), 409, 'EMAIL_TAKEN');
    assert.equal(await api.db.prisma.clinic.count(), clinicsBefore);
    assert.equal(await api.db.prisma.clinic.count({ where: { name: body.name } }), 0);
    assert.equal(await api.db.prisma.auditLog.count({ where: { action: 'clinic.create', changes: { path: ['after', 'name'], equals: body.name } } }), 0);
  });

  test('two concurrent creations with one admin email: one clinic, the other request 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('race');
    const bodies = [newClinicBody({}, { email }), newClinicBody({}, { email })];
    const results = await Promise.all(bodies.map((b) => api.http.post(CLINICS).set(bearer(superAdmin)).send(b)));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    const loser = results.find((r) => r.status === 409);
    assert.ok(loser);
    expectError(loser, 409, 'EMAIL_TAKEN');
    assert.equal(await api.db.prisma.staffUser.count({ where: { email } }), 1);
    assert.equal(await api.db.prisma.clinic.count({ where: { name: { in: bodies.map((b) => b.name) } } }), 1, 'the losing clinic is rolled back');
  });

  test('an unknown time zone is 400 VALIDATION_ERROR pointing at body.timezone', async () => {
    const err = expectError(await api.http.post(CLINICS).set(bearer(superAdmin)).send(newClinicBody({ timezone: 'Mars/Olympus' })), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(err), ['body.timezone']);
  });

  test('other bad input is 400 with the field paths, and nothing is created', async () => {
    const clinicsBefore = await api.db.prisma.clinic.count();
    const err = expectError(
      await api.http.post(CLINICS).set(bearer(superAdmin)).send(newClinicBody({ licenseTier: 'XXL', name: 'x' }, { password: 'short', email: 'nope' })),
      400,
      'VALIDATION_ERROR',
    );
    assert.deepEqual(detailPaths(err).sort(), ['body.admin.email', 'body.admin.password', 'body.licenseTier', 'body.name']);
    expectError(await api.http.post(CLINICS).set(bearer(superAdmin)).set('Content-Type', 'application/json').send('{"name":'), 400, 'INVALID_JSON');
    assert.equal(await api.db.prisma.clinic.count(), clinicsBefore);
  });

  test('clinic staff cannot create or list clinics (403 FORBIDDEN)', async () => {
    const admin = await actor(api, 'CLINIC_ADMIN', (await createClinic(api)).id);
    const clinicsBefore = await api.db.prisma.clinic.count();
    expectError(await api.http.post(CLINICS).set(bearer(admin)).send(newClinicBody()), 403, 'FORBIDDEN');
    expectError(await api.http.get(CLINICS).set(bearer(admin)), 403, 'FORBIDDEN');
    assert.equal(await api.db.prisma.clinic.count(), clinicsBefore);
    expectError(await api.http.post(CLINICS).send(newClinicBody()), 401, 'UNAUTHORIZED');
  });

  test('SUPER_ADMIN lists clinics page by page', async () => {
    for (let i = 0; i < 3; i++) await createClinic(api, { name: `Listed ${i}` });
    const total = await api.db.prisma.clinic.count();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.http
        .get(CLINICS)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(superAdmin))
        .expect(200);
      const page = res.body as { data: ClinicBody[]; nextCursor: string | null };
      assert.ok(page.data.length <= 2);
      seen.push(...page.data.map((c) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    assert.equal(seen.length, total);
    assert.equal(new Set(seen).size, total, 'no duplicates');
    expectError(await api.http.get(CLINICS).query({ cursor: 'bm90LWEtdXVpZA' }).set(bearer(superAdmin)), 400, 'INVALID_CURSOR');
  });

  test('a clinic admin reads and changes their own clinic; another clinic is 404', async () => {
    const own = await createClinic(api, { name: 'Own Clinic' });
    const other = await createClinic(api, { name: 'Other Clinic' });
    const admin = await actor(api, 'CLINIC_ADMIN', own.id);

    const read = await api.http.get(`${CLINICS}/${own.id}`).set(bearer(admin)).expect(200);
    assert.equal((read.body as ClinicBody).name, 'Own Clinic');
    expectError(await api.http.get(`${CLINICS}/${other.id}`).set(bearer(admin)), 404, 'NOT_FOUND');

    const patched = await api.http
      .patch(`${CLINICS}/${own.id}`)
      .set(bearer(admin))
      .send({ name: 'Own Clinic Renamed', timezone: 'Asia/Kolkata', settings: { channels: ['sms'] } })
      .expect(200);
    assert.equal((patched.body as ClinicBody).name, 'Own Clinic Renamed');
    const row = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: own.id } });
    assert.equal(row.name, 'Own Clinic Renamed');
    assert.equal(row.timezone, 'Asia/Kolkata');
    assert.deepEqual(row.settings, { channels: ['sms'] });

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'clinic.update', entityId: own.id } });
    assert.equal(audit.actorId, admin.id);
    const changes = audit.changes as { before: Record<string, unknown>; after: Record<string, unknown> };
    assert.equal(changes.before.name, 'Own Clinic');
    assert.equal(changes.after.name, 'Own Clinic Renamed');
    assert.equal(changes.before.timezone, 'Europe/London');
    assert.equal(changes.after.timezone, 'Asia/Kolkata');
    assert.equal('licenseTierCode' in changes.after, false, 'unchanged fields are not recorded');

    expectError(await api.http.patch(`${CLINICS}/${other.id}`).set(bearer(admin)).send({ name: 'Hijacked' }), 404, 'NOT_FOUND');
    assert.equal((await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: other.id } })).name, 'Other Clinic');

    expectError(await api.http.get(`${CLINICS}/not-a-uuid`).set(bearer(admin)), 400, 'VALIDATION_ERROR');
    expectError(await api.http.patch(`${CLINICS}/${own.id}`).set(bearer(admin)).send({}), 400, 'VALIDATION_ERROR');
  });

  test('clinic staff other than admins read but cannot change the clinic', async () => {
    const clinic = await createClinic(api);
    const doctor = await actor(api, 'DOCTOR', clinic.id);
    await api.http.get(`${CLINICS}/${clinic.id}`).set(bearer(doctor)).expect(200);
    expectError(await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(doctor)).send({ name: 'Renamed by doctor' }), 403, 'FORBIDDEN');
  });

  test('a clinic admin cannot change the licence tier or subscription status (403)', async () => {
    const clinic = await createClinic(api, { tier: 'S' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    expectError(await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(admin)).send({ licenseTier: 'XL' }), 403, 'FORBIDDEN');
    expectError(await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(admin)).send({ name: 'Sneaky', subscriptionStatus: 'ACTIVE' }), 403, 'FORBIDDEN');
    const row = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.id } });
    assert.equal(row.licenseTierCode, 'S');
    assert.equal(row.name, 'Test Clinic', 'nothing of a refused request is applied');
    assert.equal(await api.db.prisma.auditLog.count({ where: { entityId: clinic.id } }), 0);
  });

  test('SUPER_ADMIN suspends a clinic (audited with before/after); its admin can then read but not change it', async () => {
    const clinic = await createClinic(api);
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const res = await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(superAdmin)).send({ subscriptionStatus: 'SUSPENDED', licenseTier: 'L' }).expect(200);
    assert.equal((res.body as ClinicBody).subscriptionStatus, 'SUSPENDED');
    assert.equal((res.body as ClinicBody).licenseTier, 'L');
    const row = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.id } });
    assert.equal(row.subscriptionStatus, 'SUSPENDED');
    assert.equal(row.licenseTierCode, 'L');

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'clinic.update', entityId: clinic.id } });
    assert.equal(audit.actorId, superAdmin.id);
    assert.equal(audit.actorRole, 'SUPER_ADMIN');
    assert.equal(audit.clinicId, clinic.id);
    assert.deepEqual(audit.changes, {
      before: { subscriptionStatus: 'ACTIVE', licenseTierCode: 'S' },
      after: { subscriptionStatus: 'SUSPENDED', licenseTierCode: 'L' },
    });

    await api.http.get(`${CLINICS}/${clinic.id}`).set(bearer(admin)).expect(200);
    expectError(await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(admin)).send({ name: 'Still here' }), 403, 'SUBSCRIPTION_INACTIVE');
    assert.equal((await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.id } })).name, 'Test Clinic');

    await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(superAdmin)).send({ subscriptionStatus: 'ACTIVE' }).expect(200);
    await api.http.patch(`${CLINICS}/${clinic.id}`).set(bearer(admin)).send({ name: 'Back in business' }).expect(200);
  });

  test('an unknown clinic id is 404 for platform staff too', async () => {
    const missing = '01900000-0000-7000-8000-000000000000';
    expectError(await api.http.get(`${CLINICS}/${missing}`).set(bearer(superAdmin)), 404, 'NOT_FOUND');
    expectError(await api.http.patch(`${CLINICS}/${missing}`).set(bearer(superAdmin)).send({ name: 'Nobody' }), 404, 'NOT_FOUND');
  });
});
