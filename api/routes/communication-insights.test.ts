/**
 * The channel test, delivery stats and provider health, against real PostgreSQL, the real
 * Temporal dev server and a real worker whose SMTP provider talks to a local SMTP server. Stats
 * and health read rows seeded directly, for this clinic and another, inside and outside the window.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { type Prisma } from '../../prisma/generated/client';
import { type SmtpPeer, startSmtpPeer } from '../../test/fakes/smtp-peer';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { healthOf } from './communication-insights';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

let api: TestApi;
let smtp: SmtpPeer;
let worker: TestWorker;

const ACCOUNT = { username: 'alpha-desk', password: 'alpha-smtp-password-1' };
const HOUR = 60 * 60 * 1000;
// The platform serves SMS with Twilio for clinics without their own SMS provider.
const GLOBAL = { sms: { providers: [{ provider: 'twilio', credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'global-twilio-token', from: '+15005550006' } }] } };

interface Clinic {
  id: string;
  admin: Actor;
}
let alpha: Clinic;
let bravo: Clinic;

const smtpProvider = (password: string, from: string) => ({ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, username: ACCOUNT.username, password, fromAddress: from } });
const base = (c: Clinic) => `/api/v1/clinics/${c.id}/communication`;
/** The id of the clinic's first entry on a channel. */
const entryOf = async (c: Clinic, channel: 'email' | 'sms') =>
  storedProvidersSchema.parse((await api.db.prisma.communicationConfig.findFirstOrThrow({ where: { clinicId: c.id, channel } })).providers)[0]!.id;

async function clinicWith(name: string, channels: Record<string, { providers: object[]; settings?: object }>): Promise<Clinic> {
  const clinic = await createClinic(api, { name });
  const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
  for (const [channel, body] of Object.entries(channels)) {
    await api.http.put(`/api/v1/clinics/${clinic.id}/communication/${channel}`).set(bearer(admin)).send(body).expect(200);
  }
  return { id: clinic.id, admin };
}

before(async () => {
  api = await startTestApi({ GLOBAL_MESSAGING_CONFIG: JSON.stringify(GLOBAL) });
  smtp = await startSmtpPeer(ACCOUNT);
  worker = await startTestWorker(api, { smtp: smtp.url });

  alpha = await clinicWith('Alpha', { email: { providers: [smtpProvider(ACCOUNT.password, 'desk@alpha.test')], settings: { retryAttempts: 1, defaultLanguage: 'es' } } });
  bravo = await clinicWith('Bravo', { email: { providers: [smtpProvider('not-the-right-password', 'desk@bravo.test')], settings: { retryAttempts: 1 } } });
});

after(async () => {
  await worker?.stop();
  await smtp?.stop();
  await api?.close();
});

interface TestAnswer {
  messageId: string;
  workflowId: string;
  verification: Array<{ entryId: string; label: string; provider: string; source: string; ok: boolean; kind?: string; code?: string }>;
  delivery: { status: string; channel: string | null; provider: string | null; failures: Array<{ entryId?: string; label?: string; provider?: string; kind: string; code?: string }> };
}

describe('POST /clinics/:clinicId/communication/:channel/test', () => {
  test('good SMTP credentials: verified, delivered, and the test message arrives in the clinic\'s language', async () => {
    const res = await api.http.post(`${base(alpha)}/email/test`).set(bearer(alpha.admin)).send({ to: 'Owner@Alpha.test' }).expect(200);
    const body = res.body as TestAnswer;
    const smtpEntry = { entryId: await entryOf(alpha, 'email'), label: 'smtp', provider: 'smtp', source: 'clinic' };
    assert.deepEqual(body.verification, [{ ...smtpEntry, ok: true }]);
    assert.deepEqual(body.delivery, { status: 'DELIVERED', channel: 'email', provider: 'smtp', failures: [] });
    assert.equal(body.workflowId, `channel-test/${alpha.id}/${body.messageId}`);

    const mails = smtp.received.filter((m) => m.to?.some((t) => t.address === 'owner@alpha.test'));
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Mensaje de prueba de ClinicFlow');
    assert.match(mails[0]!.text ?? '', /Este mensaje de prueba de Alpha/);

    const message = await api.db.prisma.message.findUniqueOrThrow({ where: { id: body.messageId } });
    assert.deepEqual([message.clinicId, message.category, message.templateKey, message.channels, message.recipient, message.status, message.language], [
      alpha.id,
      'channel-test',
      'test-message',
      ['email'],
      { email: 'owner@alpha.test' },
      'DELIVERED',
      'es',
    ]);
    assert.equal(message.createdById, alpha.admin.id);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { clinicId: alpha.id, action: 'communication.test', entityId: body.messageId } });
    assert.deepEqual([audit.actorId, audit.changes], [alpha.admin.id, { after: { channel: 'email', providers: ['clinic:smtp'] } }], 'the source and label of each entry tested');
    assert.ok(!JSON.stringify(audit.changes).includes('alpha.test'), 'the test address is not copied into the audit trail');
    assert.ok(!JSON.stringify(res.body).includes(ACCOUNT.password) && !api.logs().includes(ACCOUNT.password), 'the password is neither answered nor logged');
  });

  test('a wrong password: verification says AUTH, the delivery fails, nothing is received', async () => {
    const before = smtp.received.length;
    const res = await api.http.post(`${base(bravo)}/email/test`).set(bearer(bravo.admin)).send({ to: 'owner@bravo.test' }).expect(200);
    const body = res.body as TestAnswer;
    const entryId = await entryOf(bravo, 'email');
    assert.deepEqual(body.verification, [{ entryId, label: 'smtp', provider: 'smtp', source: 'clinic', ok: false, kind: 'AUTH', code: 'smtp:535' }]);
    assert.deepEqual(body.delivery, { status: 'FAILED', channel: null, provider: null, failures: [{ channel: 'email', entryId, label: 'smtp', provider: 'smtp', round: 1, kind: 'AUTH', code: 'smtp:535' }] });
    assert.equal(smtp.received.length, before);
    const attempts = await api.db.prisma.messageAttempt.findMany({ where: { messageId: body.messageId } });
    assert.deepEqual(attempts.map((a) => [a.provider, a.outcome, a.errorKind]), [['smtp', 'FAILED', 'AUTH']], 'the delivery log has the attempt');
  });

  test('an invalid recipient is refused with its field path, per channel, before anything is recorded', async () => {
    const before = await api.db.prisma.message.count({ where: { clinicId: alpha.id } });
    for (const [channel, to] of [['email', 'not-an-email'], ['sms', '12345'], ['whatsapp', '+44 abc'], ['push', 'short']] as const) {
      const err = expectError(await api.http.post(`${base(alpha)}/${channel}/test`).set(bearer(alpha.admin)).send({ to }), 400, 'VALIDATION_ERROR');
      assert.deepEqual(detailPaths(err), ['body.to'], `${channel} ${to}`);
    }
    assert.deepEqual(detailPaths(expectError(await api.http.post(`${base(alpha)}/email/test`).set(bearer(alpha.admin)).send({}), 400, 'VALIDATION_ERROR')), ['body.to']);
    expectError(await api.http.post(`${base(alpha)}/fax/test`).set(bearer(alpha.admin)).send({ to: '+15005550006' }), 400, 'VALIDATION_ERROR');
    assert.equal(await api.db.prisma.message.count({ where: { clinicId: alpha.id } }), before);
  });

  test('a channel no provider serves (neither the clinic nor the platform) answers 422 NO_PROVIDER and starts nothing', async () => {
    const before = await api.db.prisma.message.count({ where: { clinicId: alpha.id } });
    expectError(await api.http.post(`${base(alpha)}/whatsapp/test`).set(bearer(alpha.admin)).send({ to: '+447700900123' }), 422, 'NO_PROVIDER');
    expectError(await api.http.post(`${base(alpha)}/push/test`).set(bearer(alpha.admin)).send({ to: 'fcm-token:APA91bHun4MxP5egoKMwt2KZFBaFUH' }), 422, 'NO_PROVIDER');
    assert.equal(await api.db.prisma.message.count({ where: { clinicId: alpha.id } }), before);
  });
});

/** Seeds one message with its attempts; times are relative to now. */
async function seedMessage(
  clinicId: string,
  m: { status: Prisma.MessageCreateInput['status']; channel?: 'email' | 'sms'; provider?: string; ageMs: number },
  attempts: Array<{ channel?: 'email' | 'sms'; provider: string; entryId?: string; outcome: 'ACCEPTED' | 'FAILED'; ageMs?: number }> = [],
) {
  const id = randomUUID();
  const at = (ageMs: number) => new Date(Date.now() - ageMs);
  await api.db.prisma.message.create({
    data: {
      id,
      clinicId,
      category: 'manual',
      channels: ['email', 'sms'],
      status: m.status,
      channel: m.channel ?? null,
      provider: m.provider ?? null,
      providerEntryId: m.provider ?? null,
      workflowId: `message/${clinicId}/${id}`,
      createdAt: at(m.ageMs),
    },
  });
  await api.db.prisma.messageAttempt.createMany({
    data: attempts.map((a, i) => ({
      clinicId,
      messageId: id,
      channel: a.channel ?? 'email',
      provider: a.provider,
      // Unless the test names the clinic's entry, the provider's name stands for it (and labels it).
      providerEntryId: a.entryId ?? a.provider,
      providerLabel: a.provider,
      attemptKey: `${id}:${i}`,
      attemptNumber: 1,
      outcome: a.outcome,
      errorKind: a.outcome === 'FAILED' ? 'TRANSIENT' : null,
      startedAt: at(a.ageMs ?? m.ageMs),
      finishedAt: at(a.ageMs ?? m.ageMs),
    })),
  });
}

describe('GET /clinics/:clinicId/communication/stats', () => {
  let stats: Clinic;
  const get = (period?: string) => api.http.get(`${base(stats)}/stats${period ? `?period=${period}` : ''}`).set(bearer(stats.admin));

  before(async () => {
    stats = await clinicWith('Stats', {});
    const other = await clinicWith('Other', {});
    const s = stats.id;
    // Inside 24 h: smtp delivers after one failed try; a READ message; ses accepts what bounces after smtp failed; twilio fails twice.
    await seedMessage(s, { status: 'DELIVERED', channel: 'email', provider: 'smtp', ageMs: HOUR }, [{ provider: 'smtp', outcome: 'FAILED' }, { provider: 'smtp', outcome: 'ACCEPTED' }]);
    await seedMessage(s, { status: 'READ', channel: 'email', provider: 'smtp', ageMs: 2 * HOUR }, [{ provider: 'smtp', outcome: 'ACCEPTED' }]);
    await seedMessage(s, { status: 'BOUNCED', channel: 'email', provider: 'ses', ageMs: 3 * HOUR }, [{ provider: 'smtp', outcome: 'FAILED' }, { provider: 'ses', outcome: 'ACCEPTED' }]);
    await seedMessage(s, { status: 'FAILED', ageMs: HOUR / 2 }, [{ channel: 'sms', provider: 'twilio', outcome: 'FAILED' }, { channel: 'sms', provider: 'twilio', outcome: 'FAILED' }]);
    // Three days ago: inside 7 d only. Forty days ago: outside every period.
    await seedMessage(s, { status: 'DELIVERED', channel: 'sms', provider: 'twilio', ageMs: 72 * HOUR }, [{ channel: 'sms', provider: 'twilio', outcome: 'ACCEPTED' }]);
    await seedMessage(s, { status: 'DELIVERED', channel: 'email', provider: 'smtp', ageMs: 40 * 24 * HOUR }, [{ provider: 'smtp', outcome: 'ACCEPTED' }]);
    // Another clinic's traffic with the same providers must not count.
    await seedMessage(other.id, { status: 'DELIVERED', channel: 'email', provider: 'smtp', ageMs: HOUR }, [{ provider: 'smtp', outcome: 'ACCEPTED' }, { provider: 'ses', outcome: 'FAILED' }]);
    await seedMessage(other.id, { status: 'BOUNCED', channel: 'sms', provider: 'twilio', ageMs: HOUR }, [{ channel: 'sms', provider: 'twilio', outcome: 'ACCEPTED' }]);
  });

  test('counts the last 24 h by default: sent and failed attempts, delivered and bounced messages, per channel and provider', async () => {
    const body = (await get().expect(200)).body as { period: string; from: string; to: string; providers: unknown[] };
    assert.equal(body.period, '24h');
    assert.equal(Date.parse(body.to) - Date.parse(body.from), 24 * HOUR);
    assert.deepEqual(body.providers, [
      { channel: 'email', entryId: 'ses', label: 'ses', provider: 'ses', sent: 1, delivered: 0, failed: 0, bounced: 1 },
      { channel: 'email', entryId: 'smtp', label: 'smtp', provider: 'smtp', sent: 2, delivered: 2, failed: 2, bounced: 0 },
      { channel: 'sms', entryId: 'twilio', label: 'twilio', provider: 'twilio', sent: 0, delivered: 0, failed: 2, bounced: 0 },
    ]);
  });

  test('7 d and 30 d take in older traffic, never beyond the period', async () => {
    const week = (await get('7d').expect(200)).body as { providers: Array<{ channel: string; provider: string }> };
    assert.deepEqual(week.providers.find((p) => p.channel === 'sms'), { channel: 'sms', entryId: 'twilio', label: 'twilio', provider: 'twilio', sent: 1, delivered: 1, failed: 2, bounced: 0 });
    const month = (await get('30d').expect(200)).body as { providers: unknown[] };
    assert.deepEqual(month.providers, week.providers, 'the 40-day-old message counts in no period');
  });

  test('an unknown period is refused with its field path', async () => {
    assert.deepEqual(detailPaths(expectError(await get('1y'), 400, 'VALIDATION_ERROR')), ['query.period']);
  });
});

describe('GET /clinics/:clinicId/communication/health', () => {
  interface Entry {
    channel: string;
    entryId: string;
    label: string;
    provider: string;
    source: string;
    enabled: boolean;
    status: string;
    window: string | null;
    attempts: number;
    accepted: number;
    successRate: number | null;
    lastProbe: { ok: boolean; checkedAt: string; errorKind: string | null } | null;
    circuit: { state: string; openedAt: string | null; consecutiveFailures: number };
  }
  let health: Clinic;
  let entry: (provider: string) => string;
  const openedAt = new Date(Date.now() - 10 * 60 * 1000);
  const probedAt = new Date(Date.now() - 4 * 60 * 1000);

  before(async () => {
    const ses = { provider: 'ses', credentials: { region: 'eu-west-1', accessKeyId: 'AKIAHEALTHCLINIC0001', secretAccessKey: 'health-ses-secret-0123456789', fromAddress: 'desk@health.test' } };
    const vonage = { provider: 'vonage', credentials: { apiKey: 'health-key', apiSecret: 'health-secret', from: 'Health' } };
    health = await clinicWith('Health', { email: { providers: [smtpProvider('health-password', 'desk@health.test'), ses] }, sms: { providers: [vonage] } });
    const configs = await api.db.prisma.communicationConfig.findMany({ where: { clinicId: health.id } });
    const entries = configs.flatMap((c) => storedProvidersSchema.parse(c.providers));
    entry = (provider) => entries.find((e) => e.provider === provider)!.id;
    const other = await clinicWith('Elsewhere', {});
    const outcomes = (outcome: 'ACCEPTED' | 'FAILED') => (n: number, provider: string, ageMs: number, channel: 'email' | 'sms' = 'email', entryId = entry(provider)) =>
      Array.from({ length: n }, () => ({ channel, provider, entryId, outcome, ageMs }));
    const [accepted, failed] = [outcomes('ACCEPTED'), outcomes('FAILED')];
    // smtp: 19 of 20 in the last hour (exactly 95 %); older failures do not count once the hour has attempts.
    await seedMessage(health.id, { status: 'DELIVERED', ageMs: 0 }, [...accepted(19, 'smtp', HOUR / 4), ...failed(1, 'smtp', HOUR / 4), ...failed(5, 'smtp', 3 * HOUR)]);
    // vonage: nothing in the last hour, so the 24 h figure: 4 of 5 (80 %); a failure 30 h ago is too old.
    await seedMessage(health.id, { status: 'DELIVERED', ageMs: 0 }, [...accepted(4, 'vonage', 5 * HOUR, 'sms'), ...failed(1, 'vonage', 5 * HOUR, 'sms'), ...failed(1, 'vonage', 30 * HOUR, 'sms')]);
    // twilio (the platform's, used as the fallback): 1 of 3 in the last hour, and its circuit is open.
    await seedMessage(health.id, { status: 'DELIVERED', ageMs: 0 }, [...accepted(1, 'twilio', HOUR / 2, 'sms', 'global:twilio:0'), ...failed(2, 'twilio', HOUR / 2, 'sms', 'global:twilio:0')]);
    await api.db.prisma.providerCircuit.createMany({
      data: [
        { clinicId: health.id, channel: 'sms', entryId: 'global:twilio:0', provider: 'twilio', state: 'OPEN', consecutiveFailures: 3, openedAt },
        { clinicId: health.id, channel: 'email', entryId: entry('ses'), provider: 'ses', state: 'HALF_OPEN', consecutiveFailures: 3, openedAt },
        // Another clinic's troubles with the same providers are not this clinic's.
        { clinicId: other.id, channel: 'email', entryId: entry('smtp'), provider: 'smtp', state: 'OPEN', consecutiveFailures: 9, openedAt },
      ],
    });
    // ses sent nothing lately, but the health probes found its credentials refused: down before any message needs it.
    await api.db.prisma.providerProbe.createMany({
      data: [
        { clinicId: health.id, channel: 'email', entryId: entry('ses'), ok: false, errorKind: 'AUTH', errorCode: 'ses:403', checkedAt: new Date(probedAt.getTime() - 5 * 60_000) },
        { clinicId: health.id, channel: 'email', entryId: entry('ses'), ok: false, errorKind: 'AUTH', errorCode: 'ses:403', checkedAt: probedAt },
        { clinicId: other.id, channel: 'email', entryId: entry('smtp'), ok: false, errorKind: 'TRANSIENT', checkedAt: probedAt },
      ],
    });
    await seedMessage(other.id, { status: 'FAILED', ageMs: 0 }, [...failed(10, 'smtp', HOUR / 4), ...failed(4, 'ses', HOUR / 4)]);
  });

  test("each serving entry's status comes from its recent sends and health probes, with its circuit", async () => {
    const body = (await api.http.get(`${base(health)}/health`).set(bearer(health.admin)).expect(200)).body as { checkedAt: string; providers: Entry[] };
    const closed = { state: 'CLOSED', openedAt: null, consecutiveFailures: 0 };
    const clinicEntry = (provider: string) => ({ entryId: entry(provider), label: provider, provider, source: 'clinic', enabled: true });
    assert.deepEqual(body.providers, [
      { channel: 'email', ...clinicEntry('smtp'), status: 'healthy', window: '1h', attempts: 20, accepted: 19, successRate: 0.95, lastProbe: null, circuit: closed },
      {
        channel: 'email',
        ...clinicEntry('ses'),
        status: 'down',
        window: '1h',
        attempts: 2,
        accepted: 0,
        successRate: 0,
        lastProbe: { ok: false, checkedAt: probedAt.toISOString(), errorKind: 'AUTH' },
        circuit: { state: 'HALF_OPEN', openedAt: openedAt.toISOString(), consecutiveFailures: 3 },
      },
      { channel: 'sms', ...clinicEntry('vonage'), status: 'degraded', window: '24h', attempts: 5, accepted: 4, successRate: 0.8, lastProbe: null, circuit: closed },
      {
        channel: 'sms',
        entryId: 'global:twilio:0',
        label: 'platform twilio',
        provider: 'twilio',
        source: 'global',
        enabled: true,
        status: 'down',
        window: '1h',
        attempts: 3,
        accepted: 1,
        successRate: 1 / 3,
        lastProbe: null,
        circuit: { state: 'OPEN', openedAt: openedAt.toISOString(), consecutiveFailures: 3 },
      },
    ]);
  });

  test("a clinic without its own providers sees only the platform's that serve it", async () => {
    const stats = await clinicWith('Bare', {});
    const body = (await api.http.get(`${base(stats)}/health`).set(bearer(stats.admin)).expect(200)).body as { providers: Entry[] };
    assert.deepEqual(body.providers.map((p) => [p.channel, p.provider, p.source, p.status]), [['sms', 'twilio', 'global', 'unknown']]);
  });

  test("the seed's thresholds: 95 % and above healthy, 80 % and above degraded, below down, nothing unknown", () => {
    assert.deepEqual([healthOf(100, 95), healthOf(100, 94), healthOf(5, 4), healthOf(100, 79), healthOf(0, 0)], ['healthy', 'degraded', 'degraded', 'down', 'unknown']);
  });
});

describe('access', () => {
  const routes = (c: Clinic) => [
    { method: 'post' as const, url: `${base(c)}/email/test`, body: { to: 'owner@alpha.test' } },
    { method: 'get' as const, url: `${base(c)}/stats` },
    { method: 'get' as const, url: `${base(c)}/health` },
  ];

  test('a receptionist gets 403 and another clinic\'s admin 404, and no test message is sent', async () => {
    const receptionist = await actor(api, 'RECEPTIONIST', alpha.id);
    const messages = await api.db.prisma.message.count();
    const mails = smtp.received.length;
    for (const { method, url, body } of routes(alpha)) {
      expectError(await api.http[method](url).set(bearer(receptionist)).send(body), 403, 'FORBIDDEN');
      expectError(await api.http[method](url).set(bearer(bravo.admin)).send(body), 404, 'NOT_FOUND');
    }
    // The tenant is checked before the body: another clinic's id is 404 whatever was sent.
    expectError(await api.http.post(`${base(alpha)}/email/test`).set(bearer(bravo.admin)).send({ to: 'not-an-email' }), 404, 'NOT_FOUND');
    assert.equal(await api.db.prisma.message.count(), messages);
    assert.equal(smtp.received.length, mails);
  });

  test('a super admin may read any clinic\'s stats and health', async () => {
    const superAdmin = await actor(api, 'SUPER_ADMIN', null);
    for (const { url } of routes(alpha).filter((r) => r.method === 'get')) await api.http.get(url).set(bearer(superAdmin)).expect(200);
  });

  test('the routes are in the OpenAPI document', async () => {
    const doc = (await api.http.get('/api/v1/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/api/v1/clinics/{clinicId}/communication/{channel}/test']?.post);
    assert.ok(doc.paths['/api/v1/clinics/{clinicId}/communication/stats']?.get);
    assert.ok(doc.paths['/api/v1/clinics/{clinicId}/communication/health']?.get);
  });
});
