/** Sign-in, token rotation and revocation, rate limiting and bearer checks, through the real app and database. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import jwt from 'jsonwebtoken';
import { type Role } from '../../domain/roles';
import { actor, bearer, createClinic, PASSWORD, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';

const LOGIN = '/api/v1/auth/login';
const REFRESH = '/api/v1/auth/refresh';
const LOGOUT = '/api/v1/auth/logout';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  user: { id: string; role: Role; clinicId: string | null };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
let seq = 0;
const uniqueEmail = (label: string) => `${label}-${++seq}-${Math.random().toString(36).slice(2, 8)}@auth.test`;

// The whole file runs with 3 sign-ins per 15 minutes per IP and email, so every test uses its own accounts.
describe('auth', () => {
  let api: TestApi;
  let clinicId: string;

  before(async () => {
    api = await startTestApi({ LOGIN_RATE_LIMIT_PER_15_MIN: '3' });
    clinicId = (await createClinic(api)).id;
  });
  after(async () => {
    await api.close();
  });

  /** A staff account created in the database (not signed in). */
  async function user(role: Role = 'RECEPTIONIST', opts: { active?: boolean; email?: string } = {}) {
    const email = opts.email ?? uniqueEmail(role.toLowerCase());
    const row = await api.db.prisma.staffUser.create({
      data: { email, role, clinicId, firstName: 'Ada', lastName: 'Lovelace', active: opts.active ?? true, passwordHash: await bcrypt.hash(PASSWORD, 4) },
    });
    return row;
  }

  const login = (email: string, password = PASSWORD) => api.http.post(LOGIN).send({ email, password });
  const refresh = (refreshToken: string) => api.http.post(REFRESH).send({ refreshToken });
  const readOwnClinic = (accessToken: string) => api.http.get(`/api/v1/clinics/${clinicId}`).set('Authorization', `Bearer ${accessToken}`);

  test('login returns an access token, a refresh token and the user; the refresh token is stored only as a hash', async () => {
    const u = await user('MANAGER');
    const res = await login(u.email).expect(200);
    const body = res.body as Tokens;
    assert.equal(body.tokenType, 'Bearer');
    assert.equal(body.expiresIn, api.config.ACCESS_TOKEN_TTL_SECONDS);
    assert.deepEqual(body.user, { id: u.id, role: 'MANAGER', clinicId });
    assert.match(body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
    assert.ok(body.refreshToken.length >= 32);

    const claims = jwt.verify(body.accessToken, api.config.JWT_SECRET) as jwt.JwtPayload;
    assert.equal(claims.sub, u.id);
    assert.equal(claims.role, 'MANAGER');
    assert.equal(claims.clinicId, clinicId);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), api.config.ACCESS_TOKEN_TTL_SECONDS);

    const stored = await api.db.prisma.refreshToken.findMany({ where: { userId: u.id } });
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.tokenHash, sha256(body.refreshToken));
    assert.notEqual(stored[0]?.tokenHash, body.refreshToken);
    assert.equal(stored[0]?.clinicId, clinicId);
    assert.equal(stored[0]?.usedAt, null);
    assert.equal(stored[0]?.revokedAt, null);

    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: u.id } });
    assert.ok(row.lastLoginAt, 'lastLoginAt recorded');

    const clinic = await readOwnClinic(body.accessToken).expect(200);
    assert.equal((clinic.body as { id: string }).id, clinicId);
  });

  test('the email is matched case-insensitively', async () => {
    const u = await user();
    const res = await login(u.email.toUpperCase()).expect(200);
    assert.equal((res.body as Tokens).user.id, u.id);
  });

  test('a wrong password and an unknown email get the same 401 INVALID_CREDENTIALS', async () => {
    const u = await user();
    const wrong = expectError(await login(u.email, 'not-the-password-at-all'), 401, 'INVALID_CREDENTIALS');
    const unknown = expectError(await login(uniqueEmail('nobody')), 401, 'INVALID_CREDENTIALS');
    assert.equal(wrong.message, unknown.message);
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: u.id } }), 0, 'no session started');
    const row = await api.db.prisma.staffUser.findUniqueOrThrow({ where: { id: u.id } });
    assert.equal(row.lastLoginAt, null);
  });

  test('a deactivated user cannot sign in, even with the right password', async () => {
    const u = await user('DOCTOR', { active: false });
    const err = expectError(await login(u.email), 401, 'INVALID_CREDENTIALS');
    const unknown = expectError(await login(uniqueEmail('ghost')), 401, 'INVALID_CREDENTIALS');
    assert.equal(err.message, unknown.message, 'does not reveal that the account exists');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: u.id } }), 0);
  });

  test('a malformed login body is a 400 with field paths', async () => {
    const err = expectError(await api.http.post(LOGIN).send({ email: 'not-an-email' }), 400, 'VALIDATION_ERROR');
    const paths = (err.details as { path: string }[]).map((d) => d.path).sort();
    assert.deepEqual(paths, ['body.email', 'body.password']);
  });

  test('an access token stops working as soon as its user is deactivated', async () => {
    const a = await actor(api, 'RECEPTIONIST', clinicId);
    await readOwnClinic(a.token).expect(200);
    await api.db.prisma.staffUser.update({ where: { id: a.id }, data: { active: false } });
    expectError(await readOwnClinic(a.token), 401, 'INVALID_TOKEN');
  });

  test('a role change applies to existing access tokens at once', async () => {
    const a = await actor(api, 'CLINIC_ADMIN', clinicId);
    const staff = (email: string) =>
      api.http.post('/api/v1/staff').set(bearer(a)).send({ email, password: PASSWORD, firstName: 'New', lastName: 'Hire', role: 'NURSE' });
    await staff(uniqueEmail('hire')).expect(201);
    await api.db.prisma.staffUser.update({ where: { id: a.id }, data: { role: 'ACCOUNTANT' } });
    expectError(await staff(uniqueEmail('hire')), 403, 'FORBIDDEN');
  });

  test('refresh rotates: new tokens that work, and the old refresh token is used up', async () => {
    const u = await user();
    const first = (await login(u.email).expect(200)).body as Tokens;
    const res = await refresh(first.refreshToken).expect(200);
    const second = res.body as Tokens;
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.deepEqual(second.user, { id: u.id, role: 'RECEPTIONIST', clinicId });
    await readOwnClinic(second.accessToken).expect(200);

    const rows = await api.db.prisma.refreshToken.findMany({ where: { userId: u.id }, orderBy: { createdAt: 'asc' } });
    assert.equal(rows.length, 2);
    assert.equal(rows[0]?.familyId, rows[1]?.familyId, 'same family');
    assert.ok(rows[0]?.usedAt, 'the first token is marked used');
    assert.equal(rows[1]?.usedAt, null);

    expectError(await refresh(first.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
  });

  test('reusing a used refresh token revokes the whole family, including its newest token', async () => {
    const u = await user();
    const t1 = (await login(u.email).expect(200)).body as Tokens;
    const other = (await login(u.email).expect(200)).body as Tokens; // a second session (another device)
    const t2 = (await refresh(t1.refreshToken).expect(200)).body as Tokens;
    const t3 = (await refresh(t2.refreshToken).expect(200)).body as Tokens;

    expectError(await refresh(t1.refreshToken), 401, 'REFRESH_TOKEN_REUSED');
    expectError(await refresh(t3.refreshToken), 401, 'INVALID_REFRESH_TOKEN');

    const family = await api.db.prisma.refreshToken.findMany({ where: { tokenHash: { in: [t1, t2, t3].map((t) => sha256(t.refreshToken)) } } });
    assert.equal(family.length, 3);
    assert.ok(family.every((r) => r.revokedAt !== null), 'every token of the family revoked');
    assert.equal(new Set(family.map((r) => r.familyId)).size, 1);

    // The other session is another family and keeps working.
    await refresh(other.refreshToken).expect(200);
  });

  test('two concurrent refreshes with one token: one wins, the other is treated as reuse', async () => {
    const u = await user();
    const t = (await login(u.email).expect(200)).body as Tokens;
    const results = await Promise.all([refresh(t.refreshToken), refresh(t.refreshToken)]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 401]);
    const loser = results.find((r) => r.status === 401);
    assert.ok(loser);
    expectError(loser, 401, 'REFRESH_TOKEN_REUSED');
    const winner = results.find((r) => r.status === 200)?.body as Tokens;
    expectError(await refresh(winner.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  test('logout revokes the refresh token and its family; unknown tokens are ignored', async () => {
    const u = await user();
    const t1 = (await login(u.email).expect(200)).body as Tokens;
    const t2 = (await refresh(t1.refreshToken).expect(200)).body as Tokens;
    await api.http.post(LOGOUT).send({ refreshToken: t2.refreshToken }).expect(204);
    expectError(await refresh(t2.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    const rows = await api.db.prisma.refreshToken.findMany({ where: { userId: u.id } });
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.revokedAt !== null));
    await api.http.post(LOGOUT).send({ refreshToken: 'never-issued-token' }).expect(204);
    expectError(await api.http.post(LOGOUT).send({}), 400, 'VALIDATION_ERROR');
  });

  test('an unknown refresh token is 401 INVALID_REFRESH_TOKEN', async () => {
    expectError(await refresh('x'.repeat(43)), 401, 'INVALID_REFRESH_TOKEN');
  });

  test('an expired refresh token is 401 INVALID_REFRESH_TOKEN', async () => {
    const u = await user();
    const t = (await login(u.email).expect(200)).body as Tokens;
    await api.db.prisma.refreshToken.update({ where: { tokenHash: sha256(t.refreshToken) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await refresh(t.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: u.id } }), 1, 'no new token issued');
  });

  test("a deactivated user's refresh token no longer refreshes", async () => {
    const u = await user();
    const t = (await login(u.email).expect(200)).body as Tokens;
    await api.db.prisma.staffUser.update({ where: { id: u.id }, data: { active: false } });
    expectError(await refresh(t.refreshToken), 401, 'INVALID_REFRESH_TOKEN');
  });

  test('an expired access token is refused; the same claims unexpired are accepted', async () => {
    const u = await user();
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number, secret = api.config.JWT_SECRET, audience = 'clinicflow-api') =>
      jwt.sign({ sub: u.id, role: u.role, clinicId, iat: now - 3600, exp }, secret, { algorithm: 'HS256', issuer: 'clinicflow', audience });

    await readOwnClinic(sign(now + 300)).expect(200);
    expectError(await readOwnClinic(sign(now - 60)), 401, 'INVALID_TOKEN');
    expectError(await readOwnClinic(sign(now + 300, 'another-secret-that-is-long-enough-0123456789')), 401, 'INVALID_TOKEN');
    expectError(await readOwnClinic(sign(now + 300, api.config.JWT_SECRET, 'clinicflow-codec')), 401, 'INVALID_TOKEN');
    const unsigned = jwt.sign({ sub: u.id, role: u.role, clinicId, exp: now + 300, iss: 'clinicflow', aud: 'clinicflow-api' }, '', { algorithm: 'none' });
    expectError(await readOwnClinic(unsigned), 401, 'INVALID_TOKEN');
  });

  test('a missing, non-bearer or garbage Authorization header is 401', async () => {
    const path = `/api/v1/clinics/${clinicId}`;
    expectError(await api.http.get(path), 401, 'UNAUTHORIZED');
    expectError(await api.http.get(path).set('Authorization', 'Bearer'), 401, 'UNAUTHORIZED');
    expectError(await api.http.get(path).set('Authorization', 'Basic dXNlcjpwYXNz'), 401, 'UNAUTHORIZED');
    expectError(await api.http.get(path).set('Authorization', 'Bearer garbage'), 401, 'INVALID_TOKEN');
    expectError(await api.http.get(path).set('Authorization', 'Bearer a.b.c'), 401, 'INVALID_TOKEN');
  });

  test('login is rate limited per email: the attempt after the limit is 429, another email is not limited', async () => {
    const limited = await user();
    const other = await user();
    for (let i = 0; i < api.config.LOGIN_RATE_LIMIT_PER_15_MIN; i++) expectError(await login(limited.email, `wrong-password-${i}`), 401, 'INVALID_CREDENTIALS');
    expectError(await login(limited.email), 429, 'RATE_LIMITED');
    expectError(await login(limited.email.toUpperCase()), 429, 'RATE_LIMITED');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: limited.id } }), 0, 'the right password after the limit signs nobody in');

    expectError(await login(other.email, 'wrong-password'), 401, 'INVALID_CREDENTIALS');
    await login(other.email).expect(200);
  });
});
