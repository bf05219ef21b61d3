/** Staff management: tenant scoping, RBAC, pagination, deactivation, the last-admin rule and licence limits. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { type Role } from '../../domain/roles';
import { type Actor, actor, bearer, createClinic, PASSWORD, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';

const STAFF = '/api/v1/staff';

interface StaffBody {
  id: string;
  clinicId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  role: Role;
  active: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  data: StaffBody[];
  nextCursor: string | null;
}
interface Tokens {
  accessToken: string;
  refreshToken: string;
}

let seq = 0;
const uniqueEmail = (label: string) => `${label}-${++seq}-${Math.random().toString(36).slice(2, 8)}@staff.test`;
const NEW_PASSWORD = 'another-long-password-42';

function newStaff(overrides: Record<string, unknown> = {}) {
  return { email: uniqueEmail('staff'), password: PASSWORD, firstName: 'Florence', lastName: 'Nightingale', role: 'NURSE', phone: '+44 20 7946 0000', ...overrides };
}

describe('staff', () => {
  let api: TestApi;
  let superAdmin: Actor;

  before(async () => {
    api = await startTestApi();
    superAdmin = await actor(api, 'SUPER_ADMIN', null);
  });
  after(async () => {
    await api.close();
  });

  const asPlatform = (clinicId: string) => ({ ...bearer(superAdmin), 'X-Clinic-Id': clinicId });
  const activeStaff = (clinicId: string) => api.db.prisma.staffUser.count({ where: { clinicId, active: true } });
  const login = async (email: string, password = PASSWORD) => (await api.http.post('/api/v1/auth/login').send({ email, password }).expect(200)).body as Tokens;

  /** Staff rows inserted straight into the database (no API, no licence check). */
  async function insertStaff(clinicId: string, n: number, data: { role?: Role; active?: boolean } = {}) {
    const passwordHash = await bcrypt.hash(PASSWORD, 4);
    await api.db.prisma.staffUser.createMany({
      data: Array.from({ length: n }, () => ({ clinicId, email: uniqueEmail('seeded'), passwordHash, firstName: 'Seed', lastName: 'Ed', role: data.role ?? 'DOCTOR', active: data.active ?? true })),
    });
  }

  test('a clinic admin adds a staff member: stored with a bcrypt hash, audited without it, able to sign in', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const body = newStaff({ email: `Mixed.Case-${++seq}@Staff.Test`, role: 'DOCTOR' });
    const res = await api.http.post(STAFF).set(bearer(admin)).send(body).expect(201);
    const created = res.body as StaffBody;
    assert.equal(created.clinicId, clinic.id);
    assert.equal(created.email, body.email.toLowerCase());
    assert.equal(created.role, 'DOCTOR');
    assert.equal(created.active, true);
    assert.equal(created.phone, '+44 20 7946 0000');
    assert.equal(created.lastLoginAt, null);
    assert.ok(!('passwordHash' in created) && !('password' in created));

    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: created.id } });
    assert.equal(row.clinicId, clinic.id);
    assert.ok(await bcrypt.compare(PASSWORD, row.passwordHash));

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'staff.create', entityId: created.id } });
    assert.equal(audit.actorId, admin.id);
    assert.equal(audit.actorRole, 'CLINIC_ADMIN');
    assert.equal(audit.clinicId, clinic.id);
    assert.equal((audit.changes as { after: { role: string } }).after.role, 'DOCTOR');
    const raw = JSON.stringify(audit.changes);
    assert.ok(!raw.includes('passwordHash') && !raw.includes(row.passwordHash) && !raw.includes(PASSWORD));

    const tokens = await login(body.email);
    await api.http.get(`${STAFF}/${created.id}`).set('Authorization', `Bearer ${tokens.accessToken}`).expect(200);
  });

  test('platform staff must name the clinic with X-Clinic-Id', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    expectError(await api.http.get(STAFF).set(bearer(superAdmin)), 400, 'CLINIC_REQUIRED');
    expectError(await api.http.post(STAFF).set(bearer(superAdmin)).send(newStaff()), 400, 'CLINIC_REQUIRED');
    expectError(await api.http.get(STAFF).set({ ...bearer(superAdmin), 'X-Clinic-Id': 'not-a-uuid' }), 400, 'VALIDATION_ERROR');
    expectError(await api.http.get(STAFF).set(asPlatform('01900000-0000-7000-8000-000000000000')), 404, 'NOT_FOUND');
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: null, role: { notIn: ['SUPER_ADMIN', 'OPS'] } } }), 0);

    const res = await api.http.post(STAFF).set(asPlatform(clinic.id)).send(newStaff({ role: 'CLINIC_ADMIN' })).expect(201);
    assert.equal((res.body as StaffBody).clinicId, clinic.id);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'staff.create', entityId: (res.body as StaffBody).id } });
    assert.equal(audit.actorId, superAdmin.id);
    assert.equal(audit.clinicId, clinic.id);

    const ops = await actor(api, 'OPS', null);
    const list = await api.http.get(STAFF).set({ ...bearer(ops), 'X-Clinic-Id': clinic.id }).expect(200);
    assert.deepEqual((list.body as Page).data.map((s) => s.id), [(res.body as StaffBody).id]);
    expectError(await api.http.post(STAFF).set({ ...bearer(ops), 'X-Clinic-Id': clinic.id }).send(newStaff()), 403, 'FORBIDDEN');
  });

  test('a clinic user cannot reach another clinic through X-Clinic-Id', async () => {
    const own = await createClinic(api, { tier: 'L' });
    const other = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', own.id);
    const res = await api.http.post(STAFF).set({ ...bearer(admin), 'X-Clinic-Id': other.id }).send(newStaff()).expect(201);
    assert.equal((res.body as StaffBody).clinicId, own.id, 'the header is ignored for clinic staff');
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: other.id } }), 0);
  });

  test('RBAC: only staff managers add staff; readers list them', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const receptionist = await actor(api, 'RECEPTIONIST', clinic.id);
    const accountant = await actor(api, 'ACCOUNTANT', clinic.id);
    const before = await api.db.prisma.staffUser.count({ where: { clinicId: clinic.id } });
    expectError(await api.http.post(STAFF).set(bearer(receptionist)).send(newStaff()), 403, 'FORBIDDEN');
    expectError(await api.http.patch(`${STAFF}/${accountant.id}`).set(bearer(receptionist)).send({ role: 'MANAGER' }), 403, 'FORBIDDEN');
    expectError(await api.http.delete(`${STAFF}/${accountant.id}`).set(bearer(receptionist)), 403, 'FORBIDDEN');
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: clinic.id } }), before);
    assert.equal((await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: accountant.id } })).role, 'ACCOUNTANT');

    await api.http.get(STAFF).set(bearer(receptionist)).expect(200);
    expectError(await api.http.get(STAFF).set(bearer(accountant)), 403, 'FORBIDDEN');
    expectError(await api.http.get(STAFF), 401, 'UNAUTHORIZED');
  });

  test('a taken email is 409 EMAIL_TAKEN, even in another clinic and in another case', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const otherClinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const elsewhere = await actor(api, 'NURSE', otherClinic.id);
    expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ email: elsewhere.email.toUpperCase() })), 409, 'EMAIL_TAKEN');
    expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ email: admin.email })), 409, 'EMAIL_TAKEN');
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: clinic.id } }), 1);
  });

  test('two concurrent creations with one email: one account, the other request 409 EMAIL_TAKEN', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const email = uniqueEmail('race');
    const results = await Promise.all([0, 1].map(() => api.http.post(STAFF).set(bearer(admin)).send(newStaff({ email }))));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    const loser = results.find((r) => r.status === 409);
    assert.ok(loser);
    expectError(loser, 409, 'EMAIL_TAKEN');
    assert.equal(await api.db.prisma.staffUser.count({ where: { email } }), 1);
  });

  test('only clinic roles can be given: SUPER_ADMIN or OPS in the body is 400', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    for (const role of ['SUPER_ADMIN', 'OPS', 'JANITOR']) {
      const err = expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ role })), 400, 'VALIDATION_ERROR');
      assert.deepEqual((err.details as { path: string }[]).map((d) => d.path), ['body.role']);
    }
    const target = await actor(api, 'NURSE', clinic.id);
    expectError(await api.http.patch(`${STAFF}/${target.id}`).set(bearer(admin)).send({ role: 'SUPER_ADMIN' }), 400, 'VALIDATION_ERROR');
    assert.equal(await api.db.prisma.staffUser.count({ where: { role: 'SUPER_ADMIN' } }), 1);
    assert.equal((await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: target.id } })).role, 'NURSE');

    const err = expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ password: 'too-short', email: 'x' })), 400, 'VALIDATION_ERROR');
    assert.deepEqual((err.details as { path: string }[]).map((d) => d.path).sort(), ['body.email', 'body.password']);
  });

  test('lists page by page with a cursor, without duplicates, and filters by role, active and q', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const other = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    await actor(api, 'DOCTOR', other.id); // must never show up
    const created: StaffBody[] = [];
    const people: [string, string, Role][] = [
      ['Alan', 'Turing', 'DOCTOR'],
      ['Barbara', 'Liskov', 'NURSE'],
      ['Claude', 'Shannon', 'NURSE'],
      ['Donald', 'Knuth', 'THERAPIST'],
      ['Edsger', 'Dijkstra', 'ACCOUNTANT'],
      ['Frances', 'Allen', 'RECEPTIONIST'],
    ];
    for (const [firstName, lastName, role] of people) {
      created.push((await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ firstName, lastName, role })).expect(201)).body as StaffBody);
    }
    const all = [admin.id, ...created.map((s) => s.id)];

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.http
        .get(STAFF)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(admin))
        .expect(200);
      const page = res.body as Page;
      assert.ok(page.data.length <= 2);
      assert.ok(page.data.every((s) => s.clinicId === clinic.id));
      seen.push(...page.data.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assert.equal(cursor, null, 'the last page has no next cursor');
    assert.equal(pages, 4);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.deepEqual([...seen].sort(), [...all].sort());

    const exact = (await api.http.get(STAFF).query({ limit: 7 }).set(bearer(admin)).expect(200)).body as Page;
    assert.equal(exact.data.length, 7);
    assert.equal(exact.nextCursor, null, 'no next cursor when the page is exactly full');

    const nurses = (await api.http.get(STAFF).query({ role: 'NURSE' }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(nurses.data.map((s) => s.lastName).sort(), ['Liskov', 'Shannon']);

    const knuth = created.find((s) => s.lastName === 'Knuth');
    assert.ok(knuth);
    await api.http.delete(`${STAFF}/${knuth.id}`).set(bearer(admin)).expect(200);
    const inactive = (await api.http.get(STAFF).query({ active: 'false' }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(inactive.data.map((s) => s.id), [knuth.id]);
    const active = (await api.http.get(STAFF).query({ active: 'true', limit: 100 }).set(bearer(admin)).expect(200)).body as Page;
    assert.equal(active.data.length, 6);
    assert.ok(active.data.every((s) => s.active));

    const byName = (await api.http.get(STAFF).query({ q: 'tURiN' }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(byName.data.map((s) => s.lastName), ['Turing']);
    const byFirstName = (await api.http.get(STAFF).query({ q: 'frances' }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(byFirstName.data.map((s) => s.lastName), ['Allen']);
    const byEmail = (await api.http.get(STAFF).query({ q: admin.email.toUpperCase() }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(byEmail.data.map((s) => s.id), [admin.id]);
    assert.deepEqual((await api.http.get(STAFF).query({ q: '%' }).set(bearer(admin)).expect(200)).body, { data: [], nextCursor: null }, '% is not a wildcard');
    assert.deepEqual((await api.http.get(STAFF).query({ q: 'Tur_ng' }).set(bearer(admin)).expect(200)).body, { data: [], nextCursor: null }, '_ is not a wildcard');
    const combined = (await api.http.get(STAFF).query({ q: 'a', role: 'NURSE' }).set(bearer(admin)).expect(200)).body as Page;
    assert.deepEqual(combined.data.map((s) => s.lastName).sort(), ['Liskov', 'Shannon']);

    expectError(await api.http.get(STAFF).query({ cursor: 'garbage!' }).set(bearer(admin)), 400, 'INVALID_CURSOR');
    expectError(await api.http.get(STAFF).query({ limit: 0 }).set(bearer(admin)), 400, 'VALIDATION_ERROR');
    expectError(await api.http.get(STAFF).query({ limit: 101 }).set(bearer(admin)), 400, 'VALIDATION_ERROR');
    expectError(await api.http.get(STAFF).query({ role: 'WIZARD' }).set(bearer(admin)), 400, 'VALIDATION_ERROR');
    expectError(await api.http.get(STAFF).query({ active: 'yes' }).set(bearer(admin)), 400, 'VALIDATION_ERROR');
  });

  test("reads one staff member; another clinic's staff is 404", async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const other = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const nurse = await actor(api, 'NURSE', clinic.id);
    const stranger = await actor(api, 'NURSE', other.id);
    const res = await api.http.get(`${STAFF}/${nurse.id}`).set(bearer(admin)).expect(200);
    assert.equal((res.body as StaffBody).email, nurse.email);
    assert.ok((res.body as StaffBody).lastLoginAt, 'actor() signed in');
    expectError(await api.http.get(`${STAFF}/${stranger.id}`).set(bearer(admin)), 404, 'NOT_FOUND');
    expectError(await api.http.get(`${STAFF}/${superAdmin.id}`).set(bearer(admin)), 404, 'NOT_FOUND');
    expectError(await api.http.get(`${STAFF}/01900000-0000-7000-8000-000000000000`).set(bearer(admin)), 404, 'NOT_FOUND');
    expectError(await api.http.get(`${STAFF}/123`).set(bearer(admin)), 400, 'VALIDATION_ERROR');
  });

  test('patches a staff member, audited with before/after; a new password signs out their sessions', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const other = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const nurse = await actor(api, 'NURSE', clinic.id);
    const stranger = await actor(api, 'NURSE', other.id);

    const res = await api.http.patch(`${STAFF}/${nurse.id}`).set(bearer(admin)).send({ role: 'MANAGER', lastName: 'Seacole', phone: null }).expect(200);
    assert.equal((res.body as StaffBody).role, 'MANAGER');
    assert.equal((res.body as StaffBody).lastName, 'Seacole');
    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: nurse.id } });
    assert.equal(row.role, 'MANAGER');
    assert.equal(row.phone, null);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'staff.update', entityId: nurse.id } });
    assert.equal(audit.actorId, admin.id);
    assert.deepEqual(audit.changes, { before: { role: 'NURSE', lastName: 'Tester' }, after: { role: 'MANAGER', lastName: 'Seacole' } });

    const session = await login(nurse.email);
    await api.http.patch(`${STAFF}/${nurse.id}`).set(bearer(admin)).send({ password: NEW_PASSWORD }).expect(200);
    const rotated = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: nurse.id } });
    assert.ok(await bcrypt.compare(NEW_PASSWORD, rotated.passwordHash));
    expectError(await api.http.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: nurse.id, revokedAt: null } }), 0);
    expectError(await api.http.post('/api/v1/auth/login').send({ email: nurse.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    await login(nurse.email, NEW_PASSWORD);
    const pwAudit = await api.db.prisma.auditLog.findMany({ where: { action: 'staff.update', entityId: nurse.id } });
    assert.ok(pwAudit.every((a) => !JSON.stringify(a.changes).includes('passwordHash') && !JSON.stringify(a.changes).includes(NEW_PASSWORD)));

    expectError(await api.http.patch(`${STAFF}/${stranger.id}`).set(bearer(admin)).send({ role: 'MANAGER' }), 404, 'NOT_FOUND');
    assert.equal((await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: stranger.id } })).role, 'NURSE');
    expectError(await api.http.patch(`${STAFF}/${nurse.id}`).set(bearer(admin)).send({}), 400, 'VALIDATION_ERROR');
  });

  test('deactivating keeps the row, revokes their sessions at once and is audited; nobody deactivates themselves', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const doctor = await actor(api, 'DOCTOR', clinic.id);
    const session = await login(doctor.email);
    await api.http.get(`${STAFF}/${doctor.id}`).set(bearer(doctor)).expect(200);

    const res = await api.http.delete(`${STAFF}/${doctor.id}`).set(bearer(admin)).expect(200);
    assert.equal((res.body as StaffBody).active, false);
    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: doctor.id } });
    assert.equal(row.active, false);
    const tokens = await api.db.prisma.refreshToken.findMany({ where: { userId: doctor.id } });
    assert.equal(tokens.length, 2);
    assert.ok(tokens.every((t) => t.revokedAt !== null), 'every refresh token revoked');
    expectError(await api.http.post('/api/v1/auth/refresh').send({ refreshToken: session.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    expectError(await api.http.get(`${STAFF}/${doctor.id}`).set(bearer(doctor)), 401, 'INVALID_TOKEN');
    expectError(await api.http.post('/api/v1/auth/login').send({ email: doctor.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'staff.deactivate', entityId: doctor.id } });
    assert.equal(audit.actorId, admin.id);
    assert.deepEqual(audit.changes, { before: { active: true }, after: { active: false } });

    const otherAdmin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    expectError(await api.http.delete(`${STAFF}/${admin.id}`).set(bearer(admin)), 409, 'CANNOT_DEACTIVATE_SELF');
    expectError(await api.http.patch(`${STAFF}/${admin.id}`).set(bearer(admin)).send({ active: false }), 409, 'CANNOT_DEACTIVATE_SELF');
    assert.equal((await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: admin.id } })).active, true);
    await api.http.delete(`${STAFF}/${admin.id}`).set(bearer(otherAdmin)).expect(200);
  });

  test('the last active CLINIC_ADMIN can be neither deactivated nor demoted (409 LAST_ADMIN)', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    await insertStaff(clinic.id, 1, { role: 'CLINIC_ADMIN', active: false }); // an inactive admin does not count
    const platform = asPlatform(clinic.id);

    expectError(await api.http.delete(`${STAFF}/${admin.id}`).set(platform), 409, 'LAST_ADMIN');
    expectError(await api.http.patch(`${STAFF}/${admin.id}`).set(platform).send({ active: false }), 409, 'LAST_ADMIN');
    expectError(await api.http.patch(`${STAFF}/${admin.id}`).set(platform).send({ role: 'MANAGER' }), 409, 'LAST_ADMIN');
    expectError(await api.http.patch(`${STAFF}/${admin.id}`).set(bearer(admin)).send({ role: 'DOCTOR' }), 409, 'LAST_ADMIN');
    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: admin.id } });
    assert.equal(row.role, 'CLINIC_ADMIN');
    assert.equal(row.active, true);

    // With a second active admin, one of them may step down, and then the other is the last again.
    const second = await actor(api, 'CLINIC_ADMIN', clinic.id);
    await api.http.patch(`${STAFF}/${admin.id}`).set(bearer(second)).send({ role: 'MANAGER' }).expect(200);
    expectError(await api.http.patch(`${STAFF}/${second.id}`).set(platform).send({ role: 'NURSE' }), 409, 'LAST_ADMIN');
    expectError(await api.http.delete(`${STAFF}/${second.id}`).set(platform), 409, 'LAST_ADMIN');
    // Changing anything else about the last admin is fine.
    await api.http.patch(`${STAFF}/${second.id}`).set(platform).send({ firstName: 'Still' }).expect(200);
  });

  test('tier S allows 5 active staff: the 6th is 402 LICENSE_LIMIT_EXCEEDED, and reactivating beyond it too', async () => {
    const clinic = await createClinic(api, { tier: 'S' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    await insertStaff(clinic.id, 2, { active: false }); // inactive staff do not count
    const added: StaffBody[] = [];
    for (let i = 0; i < 4; i++) added.push((await api.http.post(STAFF).set(bearer(admin)).send(newStaff()).expect(201)).body as StaffBody);
    assert.equal(await activeStaff(clinic.id), 5);

    const email = uniqueEmail('sixth');
    const err = expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff({ email })), 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.deepEqual(err.details, { metric: 'STAFF', limit: 5, current: 5, tier: 'S' });
    assert.equal(await api.db.prisma.staffUser.count({ where: { email } }), 0);
    assert.equal(await activeStaff(clinic.id), 5);
    expectError(await api.http.post(STAFF).set(asPlatform(clinic.id)).send(newStaff()), 402, 'LICENSE_LIMIT_EXCEEDED');

    const first = added[0];
    assert.ok(first);
    await api.http.delete(`${STAFF}/${first.id}`).set(bearer(admin)).expect(200);
    await api.http.post(STAFF).set(bearer(admin)).send(newStaff()).expect(201);
    assert.equal(await activeStaff(clinic.id), 5);
    const again = expectError(await api.http.patch(`${STAFF}/${first.id}`).set(bearer(admin)).send({ active: true }), 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.deepEqual(again.details, { metric: 'STAFF', limit: 5, current: 5, tier: 'S' });
    assert.equal((await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: first.id } })).active, false);
    assert.equal(await activeStaff(clinic.id), 5);

    // Other changes to active staff are not licence checks.
    await api.http.patch(`${STAFF}/${added[1]?.id}`).set(bearer(admin)).send({ role: 'THERAPIST', active: true }).expect(200);
  });

  test('with one free place, concurrent creations let exactly one through', async () => {
    const clinic = await createClinic(api, { tier: 'S' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    await insertStaff(clinic.id, 3);
    assert.equal(await activeStaff(clinic.id), 4);

    const results = await Promise.all(Array.from({ length: 8 }, () => api.http.post(STAFF).set(bearer(admin)).send(newStaff())));
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses.join(',')}`);
    for (const r of results.filter((x) => x.status !== 201)) expectError(r, 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.equal(await activeStaff(clinic.id), 5);
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: clinic.id } }), 5);
  });

  test('a suspended clinic can be read but not changed (403 SUBSCRIPTION_INACTIVE)', async () => {
    const clinic = await createClinic(api, { tier: 'L', status: 'SUSPENDED' });
    const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const nurse = await actor(api, 'NURSE', clinic.id);
    await actor(api, 'CLINIC_ADMIN', clinic.id);

    const list = await api.http.get(STAFF).set(bearer(admin)).expect(200);
    assert.equal((list.body as Page).data.length, 3);
    await api.http.get(`${STAFF}/${nurse.id}`).set(bearer(admin)).expect(200);

    expectError(await api.http.post(STAFF).set(bearer(admin)).send(newStaff()), 403, 'SUBSCRIPTION_INACTIVE');
    expectError(await api.http.patch(`${STAFF}/${nurse.id}`).set(bearer(admin)).send({ role: 'DOCTOR' }), 403, 'SUBSCRIPTION_INACTIVE');
    expectError(await api.http.delete(`${STAFF}/${nurse.id}`).set(bearer(admin)), 403, 'SUBSCRIPTION_INACTIVE');
    expectError(await api.http.post(STAFF).set(asPlatform(clinic.id)).send(newStaff()), 403, 'SUBSCRIPTION_INACTIVE');

    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: nurse.id } });
    assert.equal(row.role, 'NURSE');
    assert.equal(row.active, true);
    assert.equal(await api.db.prisma.staffUser.count({ where: { clinicId: clinic.id } }), 3);
    assert.equal(await api.db.prisma.auditLog.count({ where: { clinicId: clinic.id } }), 0);

    const cancelled = await createClinic(api, { tier: 'L', status: 'CANCELLED' });
    const cancelledAdmin = await actor(api, 'CLINIC_ADMIN', cancelled.id);
    expectError(await api.http.post(STAFF).set(bearer(cancelledAdmin)).send(newStaff()), 403, 'SUBSCRIPTION_INACTIVE');
  });
});
