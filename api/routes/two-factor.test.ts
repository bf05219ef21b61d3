/**
 * Two-factor sign-in through the real app and database: enrolment and confirmation, the code step
 * of sign-in (wrong, replayed and recovery codes), the lock after wrong codes, refresh tokens
 * around it, renewing recovery codes, turning it off, and who may. Codes are made here with
 * otpauth from the secret the enrolment returned, at the API's clock, which the test moves.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { Secret, TOTP } from 'otpauth';
import { type Role } from '../../domain/roles';
import { CredentialCipher, totpSecretBinding } from '../../prisma/credential-cipher';
import { actor, bearer, createClinic, PASSWORD, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { tokenSettings } from './auth';
import { issueTokens } from '../services/tokens';
import { LOCK_SECONDS, MAX_FAILED_CODES } from '../services/two-factor';

const TWO_FACTOR = '/api/v1/auth/two-factor';
const LOGIN = '/api/v1/auth/login';
const LOGIN_CODE = '/api/v1/auth/login/two-factor';
const REFRESH = '/api/v1/auth/refresh';

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; role: Role };
}
interface Challenge {
  twoFactorRequired: true;
  challengeToken: string;
  expiresIn: number;
}

/** The API's clock: five seconds into a 30-second step, so a code made now is not at a step's edge. */
let clock = Date.UTC(2026, 11, 4, 9, 0, 5);
const nextStep = () => (clock += 30_000);
const codeAt = (secret: string, at = clock) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: at });
/** A 6-digit code that is not the current one (nor of the steps around it). */
const wrongCodeFor = (secret: string) => {
  const near = new Set([-1, 0, 1].map((k) => codeAt(secret, clock + k * 30_000)));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.has(c))!;
};
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let seq = 0;

async function startApi(overrides: Record<string, string> = {}) {
  return startTestApi({ LOGIN_RATE_LIMIT_PER_15_MIN: '1000', LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '1000', ...overrides }, { deps: { now: () => new Date(clock) } });
}

describe('two-factor sign-in', () => {
  let api: TestApi;
  let clinicId: string;

  before(async () => {
    api = await startApi();
    clinicId = (await createClinic(api)).id;
  });
  after(async () => {
    await api.close();
  });

  async function account(role: Role = 'CLINIC_ADMIN') {
    const email = `${role.toLowerCase()}-${++seq}-${Math.random().toString(36).slice(2, 8)}@two-factor.test`;
    const user = await api.db.prisma.staffUser.create({
      data: { email, role, clinicId: role === 'SUPER_ADMIN' || role === 'OPS' ? null : clinicId, firstName: 'Grace', lastName: 'Hopper', passwordHash: await bcrypt.hash(PASSWORD, 4) },
    });
    const tokens = (await api.http.post(LOGIN).send({ email, password: PASSWORD }).expect(200)).body as Tokens;
    return { id: user.id, email, clinicId: user.clinicId, tokens, auth: { Authorization: `Bearer ${tokens.accessToken}` } };
  }
  type Account = Awaited<ReturnType<typeof account>>;

  /** Enrols and confirms: the secret and the recovery codes. */
  async function enrolled(role: Role = 'CLINIC_ADMIN') {
    const who = await account(role);
    const { secret } = (await api.http.post(`${TWO_FACTOR}/enrolment`).set(who.auth).send({ password: PASSWORD }).expect(201)).body as { secret: string };
    const { recoveryCodes } = (await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(who.auth).send({ code: codeAt(secret) }).expect(200)).body as { recoveryCodes: string[] };
    nextStep();
    return { ...who, secret, recoveryCodes };
  }

  const challenge = async (who: Pick<Account, 'email'>) => {
    const res = await api.http.post(LOGIN).send({ email: who.email, password: PASSWORD }).expect(200);
    return res.body as Challenge;
  };
  const signInWith = async (who: Pick<Account, 'email'>, code: string) => api.http.post(LOGIN_CODE).send({ challengeToken: (await challenge(who)).challengeToken, code });
  const audits = (userId: string, action: string) => api.db.prisma.auditLog.findMany({ where: { entityId: userId, action } });

  test('enrolment: the secret is shown once and stored sealed; the first code turns two-factor on and gives ten hashed recovery codes', async () => {
    const who = await account();
    assert.deepEqual((await api.http.get(TWO_FACTOR).set(who.auth).expect(200)).body, { enabled: false, pending: false, enabledAt: null, recoveryCodesLeft: 0 });
    expectError(await api.http.post(`${TWO_FACTOR}/enrolment`).set(who.auth).send({ password: 'not-the-password' }), 403, 'INVALID_PASSWORD');

    const res = await api.http.post(`${TWO_FACTOR}/enrolment`).set(who.auth).send({ password: PASSWORD }).expect(201);
    const { secret, otpauthUri, digits, period, algorithm } = res.body as { secret: string; otpauthUri: string; digits: number; period: number; algorithm: string };
    assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits of base32');
    assert.deepEqual({ digits, period, algorithm }, { digits: 6, period: 30, algorithm: 'SHA1' });
    const uri = new URL(otpauthUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), `/ClinicFlow:${who.email}`);
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'ClinicFlow');
    assert.deepEqual((await api.http.get(TWO_FACTOR).set(who.auth).expect(200)).body, { enabled: false, pending: true, enabledAt: null, recoveryCodesLeft: 0 });

    // The column holds ciphertext of the credential key ring, bound to this account.
    const row = await api.db.prisma.staffTwoFactor.findUniqueOrThrow({ where: { userId: who.id } });
    assert.match(row.secretSealed, /^v1\.[^.]+\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(!row.secretSealed.includes(secret));
    const cipher = new CredentialCipher(api.config.CREDENTIAL_ENCRYPTION_KEYS, api.config.CREDENTIAL_ENCRYPTION_KEY_ID);
    assert.equal(cipher.open(row.secretSealed, totpSecretBinding(who.id)), secret);
    assert.throws(() => cipher.open(row.secretSealed, totpSecretBinding(clinicId)), 'bound to its account');
    assert.equal(row.enabledAt, null);

    expectError(await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(who.auth).send({ code: wrongCodeFor(secret) }), 403, 'INVALID_TWO_FACTOR_CODE');
    expectError(await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(who.auth).send({ code: 'abcd-efgh' }), 400, 'VALIDATION_ERROR');
    const confirmed = await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(who.auth).send({ code: codeAt(secret) }).expect(200);
    const { recoveryCodes } = confirmed.body as { recoveryCodes: string[] };
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    for (const c of recoveryCodes) assert.match(c, /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    const stored = await api.db.prisma.staffRecoveryCode.findMany({ where: { userId: who.id } });
    assert.deepEqual(stored.map((s) => s.codeHash).sort(), recoveryCodes.map((c) => sha256(c.replaceAll('-', ''))).sort(), 'only hashes are stored');
    assert.ok(stored.every((s) => s.clinicId === clinicId && s.usedAt === null));

    const status = (await api.http.get(TWO_FACTOR).set(who.auth).expect(200)).body as { enabled: boolean; enabledAt: string; recoveryCodesLeft: number };
    assert.equal(status.enabled, true);
    assert.equal(status.enabledAt, new Date(clock).toISOString());
    assert.equal(status.recoveryCodesLeft, 10);
    expectError(await api.http.post(`${TWO_FACTOR}/enrolment`).set(who.auth).send({ password: PASSWORD }), 409, 'TWO_FACTOR_ALREADY_ENABLED');

    const [enabled] = await audits(who.id, 'two-factor.enable');
    assert.ok(enabled, 'audited');
    assert.equal(enabled.actorId, who.id);
    assert.equal(enabled.clinicId, clinicId);
    const trail = JSON.stringify(await api.db.prisma.auditLog.findMany({ where: { entityId: who.id } }));
    for (const secretish of [secret, row.secretSealed, ...recoveryCodes]) assert.ok(!trail.includes(secretish), 'no secret in the audit trail');
    const logs = api.logs();
    for (const secretish of [secret, row.secretSealed, ...recoveryCodes]) assert.ok(!logs.includes(secretish), 'no secret in the logs');
  });

  test('sign-in: the password alone gives a challenge, not tokens; a wrong code is refused, the right one signs in, once', async () => {
    const who = await enrolled();
    const first = await challenge(who);
    assert.deepEqual(Object.keys(first).sort(), ['challengeToken', 'expiresIn', 'twoFactorRequired']);
    assert.equal(first.twoFactorRequired, true);
    assert.equal(first.expiresIn, 300);
    // The challenge is no access token.
    expectError(await api.http.get(TWO_FACTOR).set('Authorization', `Bearer ${first.challengeToken}`), 401, 'INVALID_TOKEN');
    const before = (await api.db.prisma.refreshToken.count({ where: { userId: who.id, revokedAt: null } }));
    assert.equal(before, 0, 'no session from the password alone (the one from before enrolling was revoked)');

    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: first.challengeToken, code: wrongCodeFor(who.secret) }), 401, 'INVALID_TWO_FACTOR_CODE');
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: `${first.challengeToken}x`, code: codeAt(who.secret) }), 401, 'INVALID_CHALLENGE');
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: who.tokens.accessToken, code: codeAt(who.secret) }), 401, 'INVALID_CHALLENGE');

    const code = codeAt(who.secret);
    const signedIn = (await api.http.post(LOGIN_CODE).send({ challengeToken: first.challengeToken, code }).expect(200)).body as Tokens;
    assert.equal(signedIn.user.id, who.id);
    await api.http.get(TWO_FACTOR).set('Authorization', `Bearer ${signedIn.accessToken}`).expect(200);
    const step = Math.floor(clock / 30_000);
    assert.equal((await api.db.prisma.staffTwoFactor.findUniqueOrThrow({ where: { userId: who.id } })).lastUsedStep, step);

    // The same code again, with the same challenge or a new one: replayed within its step.
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: first.challengeToken, code }), 401, 'INVALID_TWO_FACTOR_CODE');
    expectError(await signInWith(who, code), 401, 'INVALID_TWO_FACTOR_CODE');
    // A code of the step before is older than the one used: refused too, though still in the window.
    expectError(await signInWith(who, codeAt(who.secret, clock - 30_000)), 401, 'INVALID_TWO_FACTOR_CODE');
    nextStep();
    assert.equal((await signInWith(who, codeAt(who.secret))).status, 200, 'the next step signs in');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: who.id, revokedAt: null, twoFactorVerified: true } }), 2);
  });

  test('a recovery code signs in once, is audited, and counts down', async () => {
    const who = await enrolled('SUPER_ADMIN');
    const [code] = who.recoveryCodes;
    const res = await signInWith(who, code!.toUpperCase());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const spent = await api.db.prisma.staffRecoveryCode.findMany({ where: { userId: who.id, usedAt: { not: null } } });
    assert.deepEqual(spent.map((s) => s.codeHash), [sha256(code!.replaceAll('-', ''))]);
    expectError(await signInWith(who, code!), 401, 'INVALID_TWO_FACTOR_CODE');
    expectError(await signInWith(who, 'aaaa-bbbb-cccc-dddd'), 401, 'INVALID_TWO_FACTOR_CODE');

    const [used] = await audits(who.id, 'two-factor.recovery-code-used');
    assert.ok(used);
    assert.deepEqual({ actorId: used.actorId, actorRole: used.actorRole, clinicId: used.clinicId, changes: used.changes }, { actorId: who.id, actorRole: 'SUPER_ADMIN', clinicId: null, changes: { after: { recoveryCodesLeft: 9 } } });
    const auth = { Authorization: `Bearer ${(res.body as Tokens).accessToken}` };
    assert.equal(((await api.http.get(TWO_FACTOR).set(auth).expect(200)).body as { recoveryCodesLeft: number }).recoveryCodesLeft, 9);
  });

  test(`${MAX_FAILED_CODES} wrong codes in a row lock the account's codes for ${LOCK_SECONDS / 60} minutes; a right one resets the count`, async () => {
    const who = await enrolled();
    for (let i = 0; i < MAX_FAILED_CODES - 1; i++) expectError(await signInWith(who, wrongCodeFor(who.secret)), 401, 'INVALID_TWO_FACTOR_CODE');
    await signInWith(who, codeAt(who.secret)).then((r) => assert.equal(r.status, 200));
    assert.equal((await api.db.prisma.staffTwoFactor.findUniqueOrThrow({ where: { userId: who.id } })).failedAttempts, 0);
    nextStep();

    for (let i = 0; i < MAX_FAILED_CODES; i++) expectError(await signInWith(who, wrongCodeFor(who.secret)), 401, 'INVALID_TWO_FACTOR_CODE');
    const locked = await signInWith(who, codeAt(who.secret));
    expectError(locked, 429, 'TWO_FACTOR_LOCKED');
    assert.equal(locked.headers['retry-after'], String(LOCK_SECONDS));
    // Recovery codes too: the lock is on the account.
    expectError(await signInWith(who, who.recoveryCodes[0]!), 429, 'TWO_FACTOR_LOCKED');
    assert.equal(await api.db.prisma.staffRecoveryCode.count({ where: { userId: who.id, usedAt: { not: null } } }), 0);

    clock += LOCK_SECONDS * 1000;
    await signInWith(who, codeAt(who.secret)).then((r) => assert.equal(r.status, 200));
    nextStep();
  });

  test('refresh tokens: enabling revokes the sessions from before; a session that did not pass two-factor cannot refresh; one that did keeps refreshing', async () => {
    const who = await account('OPS');
    const { secret } = (await api.http.post(`${TWO_FACTOR}/enrolment`).set(who.auth).send({ password: PASSWORD }).expect(201)).body as { secret: string };
    // While the enrolment is pending, nothing changes for the account's sessions.
    const beforeOn = (await api.http.post(REFRESH).send({ refreshToken: who.tokens.refreshToken }).expect(200)).body as Tokens;
    await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(who.auth).send({ code: codeAt(secret) }).expect(200);
    nextStep();
    expectError(await api.http.post(REFRESH).send({ refreshToken: beforeOn.refreshToken }), 401, 'INVALID_REFRESH_TOKEN');
    assert.equal(await api.db.prisma.refreshToken.count({ where: { userId: who.id, revokedAt: null } }), 0, 'every earlier session revoked');

    // A session started without the code (a password login racing the confirmation) is refused and ends.
    const stray = await issueTokens(api.db.prisma, tokenSettings(api), { userId: who.id, role: 'OPS', clinicId: null });
    expectError(await api.http.post(REFRESH).send({ refreshToken: stray.refreshToken }), 401, 'TWO_FACTOR_REQUIRED');
    const strayRow = await api.db.prisma.refreshToken.findFirstOrThrow({ where: { tokenHash: sha256(stray.refreshToken) } });
    assert.ok(strayRow.revokedAt, 'its family is revoked');

    const signedIn = (await signInWith(who, codeAt(secret)).then((r) => r.body)) as Tokens;
    const once = (await api.http.post(REFRESH).send({ refreshToken: signedIn.refreshToken }).expect(200)).body as Tokens;
    const twice = (await api.http.post(REFRESH).send({ refreshToken: once.refreshToken }).expect(200)).body as Tokens;
    const row = await api.db.prisma.refreshToken.findFirstOrThrow({ where: { tokenHash: sha256(twice.refreshToken) } });
    assert.equal(row.twoFactorVerified, true, 'the family keeps its two-factor mark');
  });

  test('recovery codes are renewed with a current code: the old ones stop working', async () => {
    const who = await enrolled();
    const auth = { Authorization: `Bearer ${((await signInWith(who, codeAt(who.secret))).body as Tokens).accessToken}` };
    nextStep();
    expectError(await api.http.post(`${TWO_FACTOR}/recovery-codes`).set(auth).send({ code: wrongCodeFor(who.secret) }), 403, 'INVALID_TWO_FACTOR_CODE');
    const renewed = (await api.http.post(`${TWO_FACTOR}/recovery-codes`).set(auth).send({ code: codeAt(who.secret) }).expect(200)).body as { recoveryCodes: string[] };
    nextStep();
    assert.equal(renewed.recoveryCodes.length, 10);
    assert.ok(renewed.recoveryCodes.every((c) => !who.recoveryCodes.includes(c)));
    expectError(await signInWith(who, who.recoveryCodes[1]!), 401, 'INVALID_TWO_FACTOR_CODE');
    assert.equal((await signInWith(who, renewed.recoveryCodes[0]!)).status, 200);
    assert.equal((await audits(who.id, 'two-factor.recovery-codes-renewed')).length, 1);
  });

  test('turning it off takes the password and a code (or a recovery code); then the password alone signs in again', async () => {
    const who = await enrolled();
    const auth = { Authorization: `Bearer ${((await signInWith(who, codeAt(who.secret))).body as Tokens).accessToken}` };
    nextStep();
    expectError(await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: 'wrong-password', code: codeAt(who.secret) }), 403, 'INVALID_PASSWORD');
    expectError(await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: PASSWORD, code: wrongCodeFor(who.secret) }), 403, 'INVALID_TWO_FACTOR_CODE');
    expectError(await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: PASSWORD }), 400, 'VALIDATION_ERROR');
    await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: PASSWORD, code: who.recoveryCodes[2]! }).expect(204);
    assert.equal(await api.db.prisma.staffTwoFactor.count({ where: { userId: who.id } }), 0);
    assert.equal(await api.db.prisma.staffRecoveryCode.count({ where: { userId: who.id } }), 0);
    const [disabled] = await audits(who.id, 'two-factor.disable');
    assert.ok(disabled);
    assert.deepEqual(disabled.changes, { after: { twoFactorEnabled: false } });
    assert.equal((await audits(who.id, 'two-factor.recovery-code-used')).length, 1);
    expectError(await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: PASSWORD, code: codeAt(who.secret) }), 409, 'TWO_FACTOR_NOT_ENABLED');

    const tokens = (await api.http.post(LOGIN).send({ email: who.email, password: PASSWORD }).expect(200)).body as Tokens;
    assert.ok(tokens.accessToken && tokens.refreshToken, 'tokens, no challenge');
  });

  test('a challenge from before two-factor was turned off (and on again) no longer works', async () => {
    const who = await enrolled();
    const old = await challenge(who);
    const auth = { Authorization: `Bearer ${((await signInWith(who, codeAt(who.secret))).body as Tokens).accessToken}` };
    nextStep();
    await api.http.post(`${TWO_FACTOR}/disable`).set(auth).send({ password: PASSWORD, code: codeAt(who.secret) }).expect(204);
    nextStep();
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: old.challengeToken, code: codeAt(who.secret) }), 401, 'INVALID_CHALLENGE');
    const { secret } = (await api.http.post(`${TWO_FACTOR}/enrolment`).set(auth).send({ password: PASSWORD }).expect(201)).body as { secret: string };
    assert.notEqual(secret, who.secret, 'a new secret');
    await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(auth).send({ code: codeAt(secret) }).expect(200);
    nextStep();
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken: old.challengeToken, code: codeAt(secret) }), 401, 'INVALID_CHALLENGE');
    assert.equal((await signInWith(who, codeAt(secret))).status, 200, 'a fresh challenge works');
  });

  test('only CLINIC_ADMIN, SUPER_ADMIN and OPS may turn it on: every other role gets 403', async () => {
    for (const role of ['MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST', 'ACCOUNTANT'] as const) {
      const who = await actor(api, role, clinicId);
      expectError(await api.http.post(`${TWO_FACTOR}/enrolment`).set(bearer(who)).send({ password: PASSWORD }), 403, 'FORBIDDEN');
      expectError(await api.http.get(TWO_FACTOR).set(bearer(who)), 403, 'FORBIDDEN');
    }
    assert.equal(await api.db.prisma.staffTwoFactor.count({ where: { user: { role: { notIn: ['CLINIC_ADMIN', 'SUPER_ADMIN', 'OPS'] } } } }), 0);
    expectError(await api.http.post(`${TWO_FACTOR}/enrolment`).send({ password: PASSWORD }), 401, 'UNAUTHORIZED');
  });
});

describe('two-factor codes and the sign-in limits', () => {
  let api: TestApi;
  before(async () => {
    api = await startApi({ LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '3' });
  });
  after(async () => {
    await api.close();
  });

  test('wrong codes count as failed sign-ins of the client: past the limit, 429 before the code is looked at', async () => {
    const clinicId = (await createClinic(api)).id;
    const email = `limits-${Math.random().toString(36).slice(2, 8)}@two-factor.test`;
    const user = await api.db.prisma.staffUser.create({ data: { email, role: 'CLINIC_ADMIN', clinicId, firstName: 'Ada', lastName: 'Byron', passwordHash: await bcrypt.hash(PASSWORD, 4) } });
    const auth = { Authorization: `Bearer ${((await api.http.post(LOGIN).send({ email, password: PASSWORD }).expect(200)).body as Tokens).accessToken}` };
    const { secret } = (await api.http.post(`${TWO_FACTOR}/enrolment`).set(auth).send({ password: PASSWORD }).expect(201)).body as { secret: string };
    await api.http.post(`${TWO_FACTOR}/enrolment/confirm`).set(auth).send({ code: codeAt(secret) }).expect(200);
    nextStep();
    const { challengeToken } = (await api.http.post(LOGIN).send({ email, password: PASSWORD }).expect(200)).body as Challenge;
    for (let i = 0; i < 3; i++) expectError(await api.http.post(LOGIN_CODE).send({ challengeToken, code: wrongCodeFor(secret) }), 401, 'INVALID_TWO_FACTOR_CODE');
    expectError(await api.http.post(LOGIN_CODE).send({ challengeToken, code: codeAt(secret) }), 429, 'RATE_LIMITED');
    assert.equal((await api.db.prisma.staffTwoFactor.findUniqueOrThrow({ where: { userId: user.id } })).lastUsedStep, Math.floor((clock - 30_000) / 30_000), 'the refused code was not taken');
  });
});
