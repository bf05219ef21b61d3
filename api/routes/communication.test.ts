import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openProvider, storedProvidersSchema } from '../../prisma/communication-config';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';

let api: TestApi;
let clinicId: string;
let admin: Actor;

const PASSWORD = 'smtp-app-password-7Qx9';
const smtp = (overrides: Record<string, unknown> = {}) => ({
  provider: 'smtp',
  credentials: { host: 'smtp.sunrise.test', port: 587, username: 'desk@sunrise.test', password: PASSWORD, fromAddress: 'desk@sunrise.test', fromName: 'Sunrise Clinic', ...overrides },
});
const url = (id = clinicId, channel = 'email') => `/api/v1/clinics/${id}/communication/${channel}`;

before(async () => {
  api = await startTestApi();
  clinicId = (await createClinic(api, { name: 'Sunrise' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
});
after(async () => api?.close());

describe('configuring a channel', () => {
  test('an admin saves an SMTP provider: the password is sealed at rest and masked in every answer', async () => {
    const res = await api.http.put(url()).set(bearer(admin)).send({ providers: [smtp()], settings: { rateLimits: { perMinute: 30 } } }).expect(200);
    const body = res.body as { configured: boolean; providers: Array<{ provider: string; credentials: Record<string, unknown> }>; settings: Record<string, unknown> };
    assert.equal(body.configured, true);
    assert.match((body.providers[0] as { id?: string }).id ?? '', /^[0-9a-f-]{36}$/, 'each entry gets a stable id');
    assert.deepEqual(body.providers[0], {
      id: (body.providers[0] as { id?: string }).id,
      label: 'smtp',
      provider: 'smtp',
      credentials: { host: 'smtp.sunrise.test', port: 587, username: 'desk@sunrise.test', password: '****7Qx9', fromAddress: 'desk@sunrise.test', fromName: 'Sunrise Clinic' },
    });
    assert.deepEqual(body.settings, { rateLimits: { perMinute: 30 }, retryAttempts: 3, defaultLanguage: 'en', fallbackToGlobal: true });

    const row = await api.db.prisma.communicationConfig.findFirstOrThrow({ where: { clinicId, channel: 'email' } });
    assert.ok(!JSON.stringify(row.providers).includes(PASSWORD), 'no plain password in the database');
    const cipher = new CredentialCipher(api.config.CREDENTIAL_ENCRYPTION_KEYS, api.config.CREDENTIAL_ENCRYPTION_KEY_ID);
    const [stored] = storedProvidersSchema.parse(row.providers);
    assert.equal(openProvider(cipher, { clinicId, channel: 'email' }, stored!).password, PASSWORD, 'what activities will read back');

    const got = await api.http.get(url()).set(bearer(admin)).expect(200);
    assert.ok(!JSON.stringify(got.body).includes(PASSWORD));
    assert.ok(!api.logs().includes(PASSWORD), 'never logged');
  });

  test('the change is audited with masked credentials only', async () => {
    const audit = await api.db.prisma.auditLog.findMany({ where: { clinicId, action: 'communication.configure' } });
    assert.equal(audit.length, 1);
    const text = JSON.stringify(audit[0]!.changes);
    assert.ok(text.includes('****7Qx9') && !text.includes(PASSWORD) && !text.includes('v1.'), `audit holds neither the secret nor its ciphertext: ${text}`);
    assert.equal(audit[0]!.actorId, admin.id);
  });

  test('a chain keeps its order (primary, then fallbacks); every channel is listed, unconfigured ones served by the global default', async () => {
    const ses = { provider: 'ses', credentials: { region: 'eu-west-1', accessKeyId: 'AKIAEXAMPLE12345', secretAccessKey: 'ses-secret-key-0123456789abcd', fromAddress: 'desk@sunrise.test' } };
    const saved = await api.http.put(url()).set(bearer(admin)).send({ providers: [ses, smtp()] }).expect(200);
    const chain = (saved.body as { providers: Array<{ provider: string; credentials: Record<string, unknown> }> }).providers;
    assert.deepEqual(chain.map((p) => p.provider), ['ses', 'smtp']);
    assert.equal(chain[0]!.credentials.secretAccessKey, '****abcd');
    assert.equal(chain[0]!.credentials.accessKeyId, 'AKIAEXAMPLE12345', 'identifiers that are not secret stay readable');
    const all = await api.http.get(`/api/v1/clinics/${clinicId}/communication`).set(bearer(admin)).expect(200);
    assert.deepEqual((all.body as Array<{ channel: string; configured: boolean }>).map((c) => [c.channel, c.configured]), [
      ['email', true],
      ['sms', false],
      ['whatsapp', false],
      ['push', false],
    ]);
  });

  test('invalid credentials are refused with the exact field paths, and nothing is saved', async () => {
    const before = await api.db.prisma.communicationConfig.findFirstOrThrow({ where: { clinicId, channel: 'email' } });
    const res = await api.http.put(url()).set(bearer(admin)).send({ providers: [smtp({ password: undefined, fromAddress: 'not-an-email' })] });
    const err = expectError(res, 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(err), ['body.providers.0.credentials.fromAddress', 'body.providers.0.credentials.password']);
    const unknown = expectError(await api.http.put(url()).set(bearer(admin)).send({ providers: [{ provider: 'carrier-pigeon', credentials: {} }] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(unknown), ['body.providers.0.provider']);
    const sameLabel = expectError(await api.http.put(url()).set(bearer(admin)).send({ providers: [{ ...smtp(), label: 'Desk' }, { ...smtp(), label: 'desk' }] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(sameLabel), ['body.providers.1.label']);
    const strangerId = expectError(await api.http.put(url()).set(bearer(admin)).send({ providers: [{ ...smtp(), id: 'not-an-entry-of-this-chain' }] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(strangerId), ['body.providers.0.id']);
    expectError(await api.http.put(url(clinicId, 'fax')).set(bearer(admin)).send({ providers: [smtp()] }), 400, 'VALIDATION_ERROR');
    const template = { name: 'visit_reminder', parameters: ['patientName', 'date'] };
    const misplaced = expectError(await api.http.put(url()).set(bearer(admin)).send({ providers: [smtp()], settings: { whatsappTemplates: { 'appointment-reminder': template } } }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(misplaced), ['body.settings.whatsappTemplates']);
    const badTemplate = { 'no-such-template': template, 'appointment-reminder': { name: '', parameters: ['not a variable'], languages: { en: 'English' } } };
    const invalid = expectError(await api.http.put(url()).set(bearer(admin)).send({ providers: [smtp()], settings: { whatsappTemplates: badTemplate } }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(invalid), [
      'body.settings.whatsappTemplates', // the unknown template key
      'body.settings.whatsappTemplates.appointment-reminder.languages.en',
      'body.settings.whatsappTemplates.appointment-reminder.name',
      'body.settings.whatsappTemplates.appointment-reminder.parameters.0',
    ]);
    const after = await api.db.prisma.communicationConfig.findFirstOrThrow({ where: { clinicId, channel: 'email' } });
    assert.deepEqual(after, before);
  });

  test('one provider type twice (two SMTP accounts): each entry keeps its id across saves, with its own label, and saving resets their circuits', async () => {
    const first = await api.http.put(url()).set(bearer(admin)).send({ providers: [{ ...smtp(), label: 'SendGrid relay' }, smtp()] }).expect(200);
    const entries = (first.body as { providers: Array<{ id: string; label: string; provider: string }> }).providers;
    assert.deepEqual(entries.map((e) => [e.provider, e.label]), [['smtp', 'SendGrid relay'], ['smtp', 'smtp']]);
    assert.notEqual(entries[0]!.id, entries[1]!.id);
    await api.db.prisma.providerCircuit.create({ data: { clinicId, channel: 'email', entryId: entries[0]!.id, provider: 'smtp', state: 'OPEN', consecutiveFailures: 3, openedAt: new Date() } });

    // The admin swaps the order, renames the backup and fixes the relay's password: the ids stay, the circuit is cleared.
    const second = await api.http
      .put(url())
      .set(bearer(admin))
      .send({ providers: [{ ...smtp(), id: entries[1]!.id, label: 'Gmail backup' }, { ...smtp(), id: entries[0]!.id }] })
      .expect(200);
    const after = (second.body as { providers: Array<{ id: string; label: string }> }).providers;
    assert.deepEqual(after.map((e) => [e.id, e.label]), [[entries[1]!.id, 'Gmail backup'], [entries[0]!.id, 'smtp']]);
    assert.equal(await api.db.prisma.providerCircuit.count({ where: { clinicId, channel: 'email' } }), 0, 'a fixed configuration is tried at once');
  });

  test('removing a channel hands it back to the global default', async () => {
    await api.http.delete(url()).set(bearer(admin)).expect(204);
    const res = await api.http.get(url()).set(bearer(admin)).expect(200);
    assert.equal((res.body as { configured: boolean }).configured, false);
    expectError(await api.http.delete(url()).set(bearer(admin)), 404, 'NOT_FOUND');
  });
});

describe('who may configure', () => {
  test('other staff of the clinic may not; another clinic\'s admin gets 404; a super admin may', async () => {
    const reception = await actor(api, 'RECEPTIONIST', clinicId);
    expectError(await api.http.get(url()).set(bearer(reception)), 403, 'FORBIDDEN');
    const other = await createClinic(api, { name: 'Elsewhere' });
    const otherAdmin = await actor(api, 'CLINIC_ADMIN', other.id);
    expectError(await api.http.put(url()).set(bearer(otherAdmin)).send({ providers: [smtp()] }), 404, 'NOT_FOUND');
    const superAdmin = await actor(api, 'SUPER_ADMIN', null);
    await api.http.put(url()).set(bearer(superAdmin)).send({ providers: [smtp()] }).expect(200);
  });

  test('a suspended clinic can read its configuration but not change it', async () => {
    const suspended = await createClinic(api, { name: 'Paused', status: 'SUSPENDED' });
    const its = await actor(api, 'CLINIC_ADMIN', suspended.id);
    await api.http.get(url(suspended.id)).set(bearer(its)).expect(200);
    expectError(await api.http.put(url(suspended.id)).set(bearer(its)).send({ providers: [smtp()] }), 403, 'SUBSCRIPTION_INACTIVE');
  });
});
