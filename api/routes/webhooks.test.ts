import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { type Config } from '../../domain/config';
import { type Channel } from '../../domain/messaging';
import { type MessageStatus } from '../../prisma/generated/client';
import { createSnsSigner, SES_TOPIC_ARN, SNS_CERT_URL, sesNotification, type SnsEnvelope, type SnsSigner } from '../../test/fakes/sns-webhook';
import { messageBirdSignature, metaSignature, twilioSignature, vonageAuthorization } from '../../test/fakes/vendor-webhooks';
import { signedVonageReceipt, type VonageSmsSignatureMethod } from '../../test/fakes/vonage-sms-signature';
import { actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { testConfig } from '../../test/support/config';
import { detailPaths, expectError } from '../../test/support/errors';
import { createApp } from '../app';

const PUBLIC_API_URL = 'https://api.clinicflow.test';
const BASE = '/api/v1/webhooks';

/** Each clinic's webhook secrets, as its admin enters them with the provider credentials. */
const SECRETS = {
  a: { twilio: 'twilio-auth-token-clinic-a-0001', vonage: 'vonage-signature-secret-a-0001', messagebird: 'messagebird-signing-key-a-0001', metaApp: 'meta-app-secret-clinic-a-0001', metaVerify: 'meta-verify-token-a' },
  b: { twilio: 'twilio-auth-token-clinic-b-0002', vonage: 'vonage-signature-secret-b-0002', messagebird: 'messagebird-signing-key-b-0002', metaApp: 'meta-app-secret-clinic-b-0002', metaVerify: 'meta-verify-token-b' },
};
const PHONE_NUMBER_ID = { a: '106540352242922', b: '106540352242999' };
/** How each clinic's Vonage account signs SMS API receipts: A leaves Vonage's default (md5hash). */
const VONAGE_SMS_METHOD = { a: 'md5hash', b: 'sha256' } as const;
const PATIENT_PHONE = '+447700900123';
const PATIENT_EMAIL = 'ada.lovelace@patients.test';

let api: TestApi;
let http: ReturnType<typeof supertest>;
let sns: SnsSigner;
let logged = '';
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logged += chunk.toString();
    done();
  },
});
const confirmedSubscriptions: string[] = [];
let clinicA: string;
let clinicB: string;
/** A clinic with no messaging configuration at all. */
let clinicBare: string;

function chains(s: (typeof SECRETS)['a'], phoneNumberId: string, vonageSmsMethod: VonageSmsSignatureMethod) {
  return {
    sms: [
      { provider: 'twilio', credentials: { accountSid: `AC${'a'.repeat(32)}`, authToken: s.twilio, from: '+15005550006' } },
      // md5hash is Vonage's default: clinic A's entry leaves the method out, as most admins will.
      { provider: 'vonage', credentials: { apiKey: 'vonagekey1', apiSecret: 'vonage-api-secret', from: 'Clinic', signatureSecret: s.vonage, ...(vonageSmsMethod === 'md5hash' ? {} : { signatureMethod: vonageSmsMethod }) } },
      { provider: 'messagebird', credentials: { accessKey: 'messagebird-access-key', originator: 'Clinic', signingKey: s.messagebird } },
    ],
    whatsapp: [
      { provider: 'meta', credentials: { phoneNumberId, accessToken: 'EAAG-local-test-token-0123456789abcdef', appSecret: s.metaApp, webhookVerifyToken: s.metaVerify } },
    ],
  };
}

/** The same app as startTestApi's, with AWS's certificate host and subscription endpoint replaced by the fake. */
function webhookApp(config: Config) {
  return supertest(
    createApp({
      config,
      prisma: api.db.prisma,
      temporal: api.temporal,
      logger: pino({ level: 'info' }, sink),
      metrics: new Registry(),
      fetchSnsCertificate: (url) => sns.fetchCertificate(url),
      confirmSnsSubscription: (url) => {
        confirmedSubscriptions.push(url);
        return Promise.resolve();
      },
    }),
  );
}

before(async () => {
  api = await startTestApi({ PUBLIC_API_URL });
  sns = createSnsSigner();
  http = webhookApp(api.config);

  clinicA = (await createClinic(api, { name: 'Alpha' })).id;
  clinicB = (await createClinic(api, { name: 'Beta' })).id;
  clinicBare = (await createClinic(api, { name: 'Bare' })).id;
  for (const [clinicId, s, number, method] of [
    [clinicA, SECRETS.a, PHONE_NUMBER_ID.a, VONAGE_SMS_METHOD.a],
    [clinicB, SECRETS.b, PHONE_NUMBER_ID.b, VONAGE_SMS_METHOD.b],
  ] as const) {
    const admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    for (const [channel, providers] of Object.entries(chains(s, number, method))) {
      const res = await api.http.put(`/api/v1/clinics/${clinicId}/communication/${channel}`).set(bearer(admin)).send({ providers });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
  }
});
after(async () => api?.close());

interface MessageSeed {
  channel: Channel;
  provider: string;
  status?: MessageStatus;
  /** Only on the accepted attempt, as when a callback beats the workflow's final write. */
  attemptOnly?: boolean;
}

/** A message as the delivery workflow leaves it once a vendor accepted it; returns its vendor id. */
async function sentMessage(clinicId: string, seed: MessageSeed): Promise<{ id: string; providerMessageId: string }> {
  const providerMessageId = `${seed.provider}-${randomUUID()}`;
  const recipient = seed.channel === 'email' ? { email: PATIENT_EMAIL } : { phone: PATIENT_PHONE };
  const row = await api.db.prisma.message.create({
    data: {
      clinicId,
      category: 'reminder',
      channels: [seed.channel],
      recipient,
      body: 'See you tomorrow',
      status: seed.status ?? 'SENDING',
      channel: seed.channel,
      provider: seed.provider,
      providerMessageId: seed.attemptOnly ? null : providerMessageId,
      workflowId: `message/${clinicId}/${randomUUID()}`,
    },
  });
  const attemptKey = `${row.id}:${seed.channel}:${seed.provider}`;
  await api.db.prisma.messageAttempt.create({
    data: { clinicId, messageId: row.id, channel: seed.channel, provider: seed.provider, providerEntryId: seed.provider, providerLabel: seed.provider, attemptKey, attemptNumber: 1, outcome: 'ACCEPTED', providerMessageId, startedAt: new Date() },
  });
  return { id: row.id, providerMessageId };
}

const messageRow = (id: string) => api.db.prisma.message.findUniqueOrThrow({ where: { id } });

/** Every row a webhook could change, to show a refused callback changed none. */
async function snapshot(): Promise<string> {
  const [messages, suppressions] = await Promise.all([api.db.prisma.message.findMany({ orderBy: { id: 'asc' } }), api.db.prisma.suppression.findMany({ orderBy: { id: 'asc' } })]);
  return JSON.stringify({ messages, suppressions });
}

async function expectUnchanged(send: () => Promise<supertest.Response>, status: number, code: string): Promise<void> {
  const before = await snapshot();
  expectError(await send(), status, code);
  assert.equal(await snapshot(), before, 'a refused callback changes nothing');
}

const suppressionsOf = (clinicId: string, channel: Channel) => api.db.prisma.suppression.findMany({ where: { clinicId, channel } });

// ─── Twilio ─────────────────────────────────────────────────────────────────────────────────────

const twilioPath = (clinicId: string) => `${BASE}/twilio/${clinicId}`;

function postTwilio(clinicId: string, params: Record<string, string>, opts: { token?: string; signedUrl?: string; signedParams?: Record<string, string>; signature?: string | null } = {}) {
  const req = http.post(twilioPath(clinicId)).type('form').send(params);
  const signature = opts.signature === undefined ? twilioSignature(opts.token ?? SECRETS.a.twilio, opts.signedUrl ?? `${PUBLIC_API_URL}${twilioPath(clinicId)}`, opts.signedParams ?? params) : opts.signature;
  return signature === null ? req : req.set('X-Twilio-Signature', signature);
}

const twilioStatus = (sid: string, status: string, extra: Record<string, string> = {}) => ({ MessageSid: sid, MessageStatus: status, AccountSid: `AC${'a'.repeat(32)}`, To: PATIENT_PHONE, From: '+15005550006', ...extra });

describe('Twilio callbacks', () => {
  test('a signed "delivered" callback marks the clinic\'s message delivered and answers empty TwiML', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'twilio' });
    const res = await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'delivered')).expect(200);
    assert.match(res.headers['content-type'] ?? '', /xml/);
    assert.match(res.text, /<Response><\/Response>/);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'DELIVERED');
    assert.ok(row.deliveredAt);
  });

  test('"undelivered" keeps a failure note with Twilio\'s error code', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'twilio', status: 'DELIVERED' });
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'undelivered', { ErrorCode: '30003' })).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.failures, [{ channel: 'sms', provider: 'twilio', kind: 'UNDELIVERED', code: 'twilio:30003' }]);
  });

  test('a callback that beats the workflow\'s final write finds the message through its accepted attempt', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'twilio', attemptOnly: true });
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'read')).expect(200);
    assert.equal((await messageRow(m.id)).status, 'READ');
  });

  test('statuses never go backwards: "delivered" after "read", or a repeat, changes nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'twilio', status: 'DELIVERED' });
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'read')).expect(200);
    const read = await messageRow(m.id);
    assert.equal(read.status, 'READ');
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'delivered')).expect(200);
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'sent')).expect(200);
    await postTwilio(clinicA, twilioStatus(m.providerMessageId, 'read')).expect(200);
    assert.deepEqual(await messageRow(m.id), read);
  });

  test('forgeries are refused with 401 and change nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'twilio' });
    const params = twilioStatus(m.providerMessageId, 'delivered');
    // Signed with another account's token (clinic B's).
    await expectUnchanged(() => postTwilio(clinicA, params, { token: SECRETS.b.twilio }), 401, 'INVALID_SIGNATURE');
    // Signed, then the status changed on the way.
    await expectUnchanged(() => postTwilio(clinicA, { ...params, MessageStatus: 'failed' }, { signedParams: params }), 401, 'INVALID_SIGNATURE');
    // No signature at all.
    await expectUnchanged(() => postTwilio(clinicA, params, { signature: null }), 401, 'INVALID_SIGNATURE');
    // Signed for another URL (another clinic's webhook, or the host Express sees instead of the public one).
    await expectUnchanged(() => postTwilio(clinicA, params, { signedUrl: `${PUBLIC_API_URL}${twilioPath(clinicB)}` }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postTwilio(clinicA, params, { signedUrl: `http://127.0.0.1${twilioPath(clinicA)}` }), 401, 'INVALID_SIGNATURE');
    assert.equal((await messageRow(m.id)).status, 'SENDING');
  });

  test("another clinic's message id, signed with clinic A's token, changes nothing", async () => {
    const theirs = await sentMessage(clinicB, { channel: 'sms', provider: 'twilio' });
    const before = await snapshot();
    // Through A's own webhook: verified, but the id is not A's.
    await postTwilio(clinicA, twilioStatus(theirs.providerMessageId, 'undelivered', { ErrorCode: '30005' })).expect(200);
    // Through B's webhook with A's token: not B's signature.
    expectError(await postTwilio(clinicB, twilioStatus(theirs.providerMessageId, 'undelivered'), { token: SECRETS.a.twilio }), 401, 'INVALID_SIGNATURE');
    assert.equal(await snapshot(), before);
  });

  test('unknown message ids are acknowledged (vendors retry anything else) and change nothing', async () => {
    const before = await snapshot();
    await postTwilio(clinicA, twilioStatus('SM00000000000000000000000000000000', 'delivered')).expect(200);
    assert.equal(await snapshot(), before);
  });

  test('an unknown clinic and a clinic without Twilio get the same 404', async () => {
    const params = twilioStatus('SM1', 'delivered');
    const unknown = randomUUID();
    const a = expectError(await postTwilio(unknown, params, { signedUrl: `${PUBLIC_API_URL}${twilioPath(unknown)}` }), 404, 'NOT_FOUND');
    const b = expectError(await postTwilio(clinicBare, params, { signedUrl: `${PUBLIC_API_URL}${twilioPath(clinicBare)}` }), 404, 'NOT_FOUND');
    assert.equal(a.message, b.message);
  });

  test('STOP opts the sender out of SMS at this clinic only; a repeat adds nothing; START opts back in', async () => {
    const inbound = (body: string, from = '+44 7700 900123') => ({ MessageSid: `SM${randomUUID().replaceAll('-', '')}`, SmsStatus: 'received', From: from, To: '+15005550006', Body: body });
    await postTwilio(clinicA, inbound('  stop ')).expect(200);
    await postTwilio(clinicA, inbound('STOP')).expect(200);
    const rows = await suppressionsOf(clinicA, 'sms');
    assert.deepEqual(rows.map((r) => [r.address, r.reason]), [[PATIENT_PHONE, 'UNSUBSCRIBED']]);
    assert.equal((await suppressionsOf(clinicB, 'sms')).length, 0, "not clinic B's list");
    assert.equal((await suppressionsOf(clinicA, 'whatsapp')).length, 0, 'not another channel');

    await postTwilio(clinicA, inbound('Stop sending me these please')).expect(200);
    await postTwilio(clinicA, inbound('START')).expect(200);
    assert.equal((await suppressionsOf(clinicA, 'sms')).length, 0);
  });

  test('STOP over Twilio WhatsApp opts out of WhatsApp', async () => {
    await postTwilio(clinicA, { MessageSid: 'SMw1', SmsStatus: 'received', From: `whatsapp:${PATIENT_PHONE}`, To: 'whatsapp:+15005550006', Body: 'UNSUBSCRIBE' }).expect(200);
    assert.deepEqual((await suppressionsOf(clinicA, 'whatsapp')).map((r) => r.address), [PATIENT_PHONE]);
    await postTwilio(clinicA, { MessageSid: 'SMw2', SmsStatus: 'received', From: `whatsapp:${PATIENT_PHONE}`, To: 'whatsapp:+15005550006', Body: 'unstop' }).expect(200);
    assert.equal((await suppressionsOf(clinicA, 'whatsapp')).length, 0);
  });
});

// ─── Meta ───────────────────────────────────────────────────────────────────────────────────────

const metaPath = (clinicId: string) => `${BASE}/meta/${clinicId}`;

function metaEvent(value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID.a): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }] }],
  });
}

function postMeta(clinicId: string, body: string, opts: { secret?: string; signedBody?: string; signature?: string | null } = {}) {
  const req = http.post(metaPath(clinicId)).set('Content-Type', 'application/json').send(body);
  const signature = opts.signature === undefined ? metaSignature(opts.secret ?? SECRETS.a.metaApp, opts.signedBody ?? body) : opts.signature;
  return signature === null ? req : req.set('X-Hub-Signature-256', signature);
}

describe('Meta WhatsApp webhooks', () => {
  test('the verification handshake echoes the challenge for the right token only', async () => {
    const res = await http.get(metaPath(clinicA)).query({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRETS.a.metaVerify, 'hub.challenge': '1158201444' }).expect(200);
    assert.equal(res.text, '1158201444');
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    expectError(await http.get(metaPath(clinicA)).query({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRETS.b.metaVerify, 'hub.challenge': '1' }), 403, 'VERIFY_TOKEN_MISMATCH');
    expectError(await http.get(metaPath(clinicA)).query({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }), 403, 'VERIFY_TOKEN_MISMATCH');
    expectError(await http.get(metaPath(clinicA)).query({ 'hub.mode': 'unsubscribe', 'hub.verify_token': SECRETS.a.metaVerify, 'hub.challenge': '1' }), 403, 'VERIFY_TOKEN_MISMATCH');
    expectError(await http.get(metaPath(clinicBare)).query({ 'hub.mode': 'subscribe', 'hub.verify_token': SECRETS.a.metaVerify, 'hub.challenge': '1' }), 404, 'NOT_FOUND');
  });

  test('signed statuses move the message forward: read, then a late delivered changes nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'meta', status: 'DELIVERED' });
    await postMeta(clinicA, metaEvent({ statuses: [{ id: m.providerMessageId, status: 'read', timestamp: '1700000000', recipient_id: '447700900123' }] })).expect(200);
    const read = await messageRow(m.id);
    assert.equal(read.status, 'READ');
    await postMeta(clinicA, metaEvent({ statuses: [{ id: m.providerMessageId, status: 'delivered', timestamp: '1700000001', recipient_id: '447700900123' }] })).expect(200);
    assert.deepEqual(await messageRow(m.id), read);
  });

  test('a failed status keeps Meta\'s error code', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'meta', status: 'DELIVERED' });
    await postMeta(clinicA, metaEvent({ statuses: [{ id: m.providerMessageId, status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] }] })).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.failures, [{ channel: 'whatsapp', provider: 'meta', kind: 'UNDELIVERED', code: 'meta:131026' }]);
  });

  test('forgeries are refused with 401 and change nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'meta' });
    const body = metaEvent({ statuses: [{ id: m.providerMessageId, status: 'delivered' }] });
    await expectUnchanged(() => postMeta(clinicA, body, { secret: SECRETS.b.metaApp }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postMeta(clinicA, body.replace('delivered', 'read'), { signedBody: body }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postMeta(clinicA, body, { signature: null }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postMeta(clinicA, body, { signature: 'sha256=' }), 401, 'INVALID_SIGNATURE');
    // Re-serialised JSON is not the bytes Meta signed.
    await expectUnchanged(() => postMeta(clinicA, JSON.stringify(JSON.parse(body), null, 2), { signedBody: body }), 401, 'INVALID_SIGNATURE');
  });

  test('inbound STOP opts out of WhatsApp, but only for a message to the clinic\'s own number', async () => {
    const stop = (phoneNumberId: string) => metaEvent({ contacts: [{ wa_id: '447700900123' }], messages: [{ from: '447700900123', id: `wamid.${randomUUID()}`, timestamp: '1700000000', type: 'text', text: { body: 'Stop' } }] }, phoneNumberId);
    await postMeta(clinicA, stop(PHONE_NUMBER_ID.b)).expect(200);
    assert.equal((await suppressionsOf(clinicA, 'whatsapp')).length, 0, "another number's STOP is not this clinic's opt-out");
    await postMeta(clinicA, stop(PHONE_NUMBER_ID.a)).expect(200);
    assert.deepEqual((await suppressionsOf(clinicA, 'whatsapp')).map((r) => [r.address, r.reason]), [[PATIENT_PHONE, 'UNSUBSCRIBED']]);
    const start = metaEvent({ messages: [{ from: '447700900123', id: 'wamid.2', timestamp: '1700000001', type: 'button', button: { text: 'START', payload: 'start' } }] });
    await postMeta(clinicA, start).expect(200);
    assert.equal((await suppressionsOf(clinicA, 'whatsapp')).length, 0);
  });
});

// ─── Vonage ─────────────────────────────────────────────────────────────────────────────────────

const vonagePath = (clinicId: string) => `${BASE}/vonage/${clinicId}`;

function postVonage(clinicId: string, body: string, authorization: string | null) {
  const req = http.post(vonagePath(clinicId)).set('Content-Type', 'application/json').send(body);
  return authorization === null ? req : req.set('Authorization', authorization);
}

const vonageStatus = (uuid: string, status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ message_uuid: uuid, to: '447700900123', from: '15005550006', timestamp: new Date().toISOString(), status, channel: 'whatsapp', ...extra });

describe('Vonage callbacks', () => {
  test('a signed status updates the message; a rejection keeps the error code', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'vonage' });
    const body = vonageStatus(m.providerMessageId, 'delivered');
    await postVonage(clinicA, body, vonageAuthorization(SECRETS.a.vonage, body)).expect(200);
    assert.equal((await messageRow(m.id)).status, 'DELIVERED');

    const failed = vonageStatus(m.providerMessageId, 'rejected', { error: { type: 'https://developer.nexmo.com/api-errors/messages-olympus#1050', title: 'Number barred' } });
    await postVonage(clinicA, failed, vonageAuthorization(SECRETS.a.vonage, failed)).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.failures, [{ channel: 'whatsapp', provider: 'vonage', kind: 'UNDELIVERED', code: 'vonage:1050' }]);
  });

  test('forgeries are refused with 401 and change nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'vonage' });
    const body = vonageStatus(m.providerMessageId, 'delivered', { channel: 'sms' });
    await expectUnchanged(() => postVonage(clinicA, body, vonageAuthorization(SECRETS.b.vonage, body)), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonage(clinicA, body.replace('delivered', 'read'), vonageAuthorization(SECRETS.a.vonage, body)), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonage(clinicA, body, null), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonage(clinicA, body, vonageAuthorization(SECRETS.a.vonage, body, { exp: Math.floor(Date.now() / 1000) - 600 })), 401, 'INVALID_SIGNATURE');
    const twoDaysAgo = Math.floor(Date.now() / 1000) - 2 * 24 * 3600;
    await expectUnchanged(() => postVonage(clinicA, body, vonageAuthorization(SECRETS.a.vonage, body, { iat: twoDaysAgo })), 401, 'INVALID_SIGNATURE');
    // A token without the body hash proves nothing about the body.
    await expectUnchanged(() => postVonage(clinicA, body, vonageAuthorization(SECRETS.a.vonage, body, { payload_hash: undefined })), 401, 'INVALID_SIGNATURE');
  });

  test('inbound STOP over SMS opts out', async () => {
    const body = JSON.stringify({ channel: 'sms', message_uuid: randomUUID(), to: '15005550006', from: '447700900555', timestamp: new Date().toISOString(), message_type: 'text', text: 'QUIT' });
    await postVonage(clinicA, body, vonageAuthorization(SECRETS.a.vonage, body)).expect(200);
    assert.ok((await suppressionsOf(clinicA, 'sms')).some((r) => r.address === '+447700900555' && r.reason === 'UNSUBSCRIBED'));
  });
});

// ─── Vonage SMS API delivery receipts ───────────────────────────────────────────────────────────

const vonageSmsPath = (clinicId: string) => `${BASE}/vonage-sms/${clinicId}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A delivery receipt's fields as the SMS API sends them (before timestamp, nonce and sig). */
const vonageReceipt = (messageId: string, status: string, errCode = '0') => ({
  msisdn: '447700900123',
  to: 'Clinic',
  'network-code': '23410',
  messageId,
  price: '0.03330000',
  status,
  scts: '2401011000',
  'err-code': errCode,
  'api-key': 'vonagekey1',
  // & and = in a value are signed as _: a receipt carrying them still verifies.
  'client-ref': 'msg=1&attempt=2',
  'message-timestamp': '2024-01-01 10:00:00',
});

const getVonageSms = (clinicId: string, params: Record<string, string>) => http.get(vonageSmsPath(clinicId)).query(params);
const postVonageSmsForm = (clinicId: string, params: Record<string, string>) => http.post(vonageSmsPath(clinicId)).type('form').send(params);
const postVonageSmsJson = (clinicId: string, params: Record<string, string>) => http.post(vonageSmsPath(clinicId)).set('Content-Type', 'application/json').send(JSON.stringify(params));

describe('Vonage SMS API delivery receipts', () => {
  test('a signed "delivered" receipt (GET, md5hash) marks the message delivered', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'vonage' });
    await getVonageSms(clinicA, signedVonageReceipt(SECRETS.a.vonage, 'md5hash', vonageReceipt(m.providerMessageId, 'delivered'))).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'DELIVERED');
    assert.ok(row.deliveredAt);
  });

  test('a signed failure (POST form, HMAC-SHA256) keeps the err-code; the account\'s method is the entry\'s', async () => {
    const m = await sentMessage(clinicB, { channel: 'sms', provider: 'vonage', status: 'DELIVERED' });
    await postVonageSmsForm(clinicB, signedVonageReceipt(SECRETS.b.vonage, 'sha256', vonageReceipt(m.providerMessageId, 'rejected', '6'))).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.failures, [{ channel: 'sms', provider: 'vonage', kind: 'UNDELIVERED', code: 'vonage:6' }]);
  });

  test('POST JSON: "accepted" and "buffered" change nothing, "expired" fails the message', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'vonage', status: 'DELIVERED', attemptOnly: true });
    const before = await snapshot();
    for (const status of ['accepted', 'buffered', 'unknown']) {
      await postVonageSmsJson(clinicA, signedVonageReceipt(SECRETS.a.vonage, 'md5hash', vonageReceipt(m.providerMessageId, status))).expect(200);
    }
    assert.equal(await snapshot(), before);
    await postVonageSmsJson(clinicA, signedVonageReceipt(SECRETS.a.vonage, 'md5hash', vonageReceipt(m.providerMessageId, 'expired', '1'))).expect(200);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'FAILED');
    assert.deepEqual(row.failures, [{ channel: 'sms', provider: 'vonage', kind: 'UNDELIVERED', code: 'vonage:1' }]);
  });

  test('forged, tampered, stale and unsigned receipts are refused with 401 and change nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'vonage' });
    const fields = vonageReceipt(m.providerMessageId, 'failed', '5');
    const signed = (opts: { secret?: string; method?: VonageSmsSignatureMethod; timestamp?: number | null } = {}) =>
      signedVonageReceipt(opts.secret ?? SECRETS.a.vonage, opts.method ?? 'md5hash', fields, { timestamp: opts.timestamp });
    // Another account's secret (clinic B's), or A's secret with another method than A's account signs with.
    await expectUnchanged(() => getVonageSms(clinicA, signed({ secret: SECRETS.b.vonage })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => getVonageSms(clinicA, signed({ method: 'sha256' })), 401, 'INVALID_SIGNATURE');
    // Signed, then changed on the way, or given one parameter more (in the query string of a signed POST).
    await expectUnchanged(() => postVonageSmsForm(clinicA, { ...signed(), status: 'delivered' }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonageSmsForm(clinicA, { ...signed(), 'err-code': '0' }), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => http.post(`${vonageSmsPath(clinicA)}?note=x`).type('form').send(signed()), 401, 'INVALID_SIGNATURE');
    // A parameter repeated after signing, in the body or the query string: which one counts is not something to guess.
    await expectUnchanged(() => http.post(`${vonageSmsPath(clinicA)}?status=delivered`).type('form').send(signed()), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => http.get(`${vonageSmsPath(clinicA)}?${new URLSearchParams(signed()).toString()}&status=delivered`), 401, 'INVALID_SIGNATURE');
    // Unsigned, as an account without message signing sends receipts.
    await expectUnchanged(() => getVonageSms(clinicA, fields), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonageSmsJson(clinicA, { ...signed(), sig: '' }), 401, 'INVALID_SIGNATURE');
    // Signed correctly, but with no timestamp, one older than 24 hours, or one 10 minutes ahead.
    await expectUnchanged(() => getVonageSms(clinicA, signed({ timestamp: null })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonageSmsJson(clinicA, signed({ timestamp: nowSeconds() - 25 * 3600 })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postVonageSmsJson(clinicA, signed({ timestamp: nowSeconds() + 600 })), 401, 'INVALID_SIGNATURE');
    assert.equal((await messageRow(m.id)).status, 'SENDING');
  });

  test("another clinic's message id, signed with clinic A's secret, changes nothing", async () => {
    const theirs = await sentMessage(clinicB, { channel: 'sms', provider: 'vonage' });
    const before = await snapshot();
    await getVonageSms(clinicA, signedVonageReceipt(SECRETS.a.vonage, 'md5hash', vonageReceipt(theirs.providerMessageId, 'failed', '5'))).expect(200);
    expectError(await getVonageSms(clinicB, signedVonageReceipt(SECRETS.a.vonage, 'sha256', vonageReceipt(theirs.providerMessageId, 'failed', '5'))), 401, 'INVALID_SIGNATURE');
    assert.equal(await snapshot(), before);
  });

  test('an unknown clinic, a clinic without Vonage and one with Vonage for WhatsApp only get the same 404', async () => {
    const waOnly = (await createClinic(api, { name: 'WhatsApp-only' })).id;
    const admin = await actor(api, 'CLINIC_ADMIN', waOnly);
    const providers = [{ provider: 'vonage', credentials: { apiKey: 'vonagekey2', apiSecret: 'vonage-api-secret', from: '+447700900999', signatureSecret: SECRETS.a.vonage } }];
    await api.http.put(`/api/v1/clinics/${waOnly}/communication/whatsapp`).set(bearer(admin)).send({ providers }).expect(200);
    const receipt = signedVonageReceipt(SECRETS.a.vonage, 'md5hash', vonageReceipt('0A0000001234567B', 'delivered'));
    const answers: Array<ReturnType<typeof expectError>> = [];
    for (const clinicId of [randomUUID(), clinicBare, waOnly]) answers.push(expectError(await getVonageSms(clinicId, receipt), 404, 'NOT_FOUND'));
    assert.ok(answers.every((a) => a.message === answers[0]!.message));
  });

  test('the signature method is a setting shown to the admin; the secret stays masked', async () => {
    const admin = await actor(api, 'CLINIC_ADMIN', clinicB);
    const res = await api.http.get(`/api/v1/clinics/${clinicB}/communication/sms`).set(bearer(admin)).expect(200);
    const vonage = (res.body as { providers: Array<{ provider: string; credentials: Record<string, unknown> }> }).providers.find((p) => p.provider === 'vonage');
    assert.equal(vonage?.credentials.signatureMethod, 'sha256');
    assert.match(String(vonage?.credentials.signatureSecret), /^\*{4}/);
    const bad = await api.http
      .put(`/api/v1/clinics/${clinicBare}/communication/sms`)
      .set(bearer(await actor(api, 'CLINIC_ADMIN', clinicBare)))
      .send({ providers: [{ provider: 'vonage', credentials: { apiKey: 'k', apiSecret: 's', from: 'Clinic', signatureSecret: 'x', signatureMethod: 'sha384' } }] });
    assert.deepEqual(detailPaths(expectError(bad, 400, 'VALIDATION_ERROR')), ['body.providers.0.credentials.signatureMethod']);
  });
});

// ─── MessageBird ────────────────────────────────────────────────────────────────────────────────

const messageBirdPath = (clinicId: string) => `${BASE}/messagebird/${clinicId}`;

describe('MessageBird callbacks', () => {
  test('a signed SMS status report (GET, query string) updates the message', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'messagebird' });
    const path = `${messageBirdPath(clinicA)}?id=${m.providerMessageId}&reference=ref&recipient=447700900123&status=delivered&statusDatetime=2024-01-01T10%3A00%3A00%2B00%3A00`;
    await http.get(path).set('MessageBird-Signature-JWT', messageBirdSignature(SECRETS.a.messagebird, `${PUBLIC_API_URL}${path}`)).expect(200);
    assert.equal((await messageRow(m.id)).status, 'DELIVERED');
  });

  test('a signed Conversations (WhatsApp) event updates the message', async () => {
    const m = await sentMessage(clinicA, { channel: 'whatsapp', provider: 'messagebird', status: 'DELIVERED' });
    const body = JSON.stringify({ type: 'message.updated', message: { id: m.providerMessageId, status: 'read', direction: 'sent', platform: 'whatsapp' } });
    const url = `${PUBLIC_API_URL}${messageBirdPath(clinicA)}`;
    await http.post(messageBirdPath(clinicA)).set('Content-Type', 'application/json').set('MessageBird-Signature-JWT', messageBirdSignature(SECRETS.a.messagebird, url, body)).send(body).expect(200);
    assert.equal((await messageRow(m.id)).status, 'READ');
  });

  test('forgeries are refused with 401 and change nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'sms', provider: 'messagebird' });
    const body = JSON.stringify({ id: m.providerMessageId, status: 'delivery_failed', statusErrorCode: '6' });
    const url = `${PUBLIC_API_URL}${messageBirdPath(clinicA)}`;
    const post = (signature: string | null, sent = body) => {
      const req = http.post(messageBirdPath(clinicA)).set('Content-Type', 'application/json').send(sent);
      return signature === null ? req : req.set('MessageBird-Signature-JWT', signature);
    };
    await expectUnchanged(() => post(messageBirdSignature(SECRETS.b.messagebird, url, body)), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => post(messageBirdSignature(SECRETS.a.messagebird, url, body), body.replace('delivery_failed', 'delivered')), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => post(null), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => post(messageBirdSignature(SECRETS.a.messagebird, `${PUBLIC_API_URL}${messageBirdPath(clinicB)}`, body)), 401, 'INVALID_SIGNATURE');
    const past = Math.floor(Date.now() / 1000) - 600;
    await expectUnchanged(() => post(messageBirdSignature(SECRETS.a.messagebird, url, body, { nbf: past - 60, iat: past - 60, exp: past })), 401, 'INVALID_SIGNATURE');
    const future = Math.floor(Date.now() / 1000) + 600;
    await expectUnchanged(() => post(messageBirdSignature(SECRETS.a.messagebird, url, body, { nbf: future, exp: future + 60 })), 401, 'INVALID_SIGNATURE');
    // A query string added to a signed URL is not covered by the signature.
    const tampered = http.post(`${messageBirdPath(clinicA)}?status=delivered`).set('Content-Type', 'application/json').set('MessageBird-Signature-JWT', messageBirdSignature(SECRETS.a.messagebird, url, body)).send(body);
    await expectUnchanged(() => tampered, 401, 'INVALID_SIGNATURE');
  });

  test('inbound SMS STOP (form POST) opts out', async () => {
    const form = 'originator=447700900777&recipient=15005550006&body=END&id=mo1';
    const url = `${PUBLIC_API_URL}${messageBirdPath(clinicA)}`;
    await http.post(messageBirdPath(clinicA)).type('form').set('MessageBird-Signature-JWT', messageBirdSignature(SECRETS.a.messagebird, url, form)).send(form).expect(200);
    assert.ok((await suppressionsOf(clinicA, 'sms')).some((r) => r.address === '+447700900777'));
  });
});

// ─── SES via SNS ────────────────────────────────────────────────────────────────────────────────

/** SNS posts JSON as text/plain. */
const postSns = (message: SnsEnvelope) => http.post(`${BASE}/ses`).set('Content-Type', 'text/plain; charset=UTF-8').set('x-amz-sns-message-type', message.Type ?? '').send(JSON.stringify(message));

describe('SES notifications through SNS', () => {
  test('a signed SubscriptionConfirmation is confirmed by visiting its SubscribeURL', async () => {
    const message = sns.message('SubscriptionConfirmation', { Message: 'You have chosen to subscribe to the topic…' });
    await postSns(message).expect(200);
    assert.deepEqual(confirmedSubscriptions, [message.SubscribeURL]);
  });

  test('a permanent bounce suppresses the address for the sending clinic and marks the message bounced', async () => {
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Bounce', bounceType: 'Permanent', to: PATIENT_EMAIL }, m.providerMessageId) })).expect(200);
    assert.deepEqual((await suppressionsOf(clinicA, 'email')).map((r) => [r.address, r.reason]), [[PATIENT_EMAIL, 'HARD_BOUNCE']]);
    assert.equal((await suppressionsOf(clinicB, 'email')).length, 0);
    const row = await messageRow(m.id);
    assert.equal(row.status, 'BOUNCED');
    assert.equal(row.deliveredAt, null);
    assert.deepEqual(row.failures, [{ channel: 'email', provider: 'ses', kind: 'BOUNCED', code: 'ses:Permanent/General' }]);
    // A late delivery report does not undo the bounce.
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Delivery', to: PATIENT_EMAIL }, m.providerMessageId) })).expect(200);
    assert.equal((await messageRow(m.id)).status, 'BOUNCED');
  });

  test('a complaint suppresses the address (SignatureVersion 2); a transient bounce does not', async () => {
    const complained = await sentMessage(clinicB, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Complaint', to: PATIENT_EMAIL }, complained.providerMessageId), SignatureVersion: '2' })).expect(200);
    assert.deepEqual((await suppressionsOf(clinicB, 'email')).map((r) => r.reason), ['COMPLAINT']);
    assert.equal((await messageRow(complained.id)).status, 'DELIVERED', 'a complaint means it arrived');

    const soft = await sentMessage(clinicA, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    const before = await snapshot();
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Bounce', bounceType: 'Transient', to: PATIENT_EMAIL }, soft.providerMessageId) })).expect(200);
    assert.equal(await snapshot(), before);
  });

  test('a delivery report marks a sending message delivered', async () => {
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses' });
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Delivery', to: PATIENT_EMAIL }, m.providerMessageId), Subject: 'Amazon SES Email Event Notification' })).expect(200);
    assert.equal((await messageRow(m.id)).status, 'DELIVERED');
  });

  test('a bounce naming another address than the message went to changes nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    const before = await snapshot();
    await postSns(sns.message('Notification', { Message: sesNotification({ type: 'Bounce', bounceType: 'Permanent', to: 'someone.else@patients.test' }, m.providerMessageId) })).expect(200);
    assert.equal(await snapshot(), before);
  });

  test('forgeries are refused with 401 and change nothing; a certificate off AWS is never fetched', async () => {
    const m = await sentMessage(clinicB, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    const bounce = sesNotification({ type: 'Bounce', bounceType: 'Permanent', to: PATIENT_EMAIL }, m.providerMessageId);
    const fetchedBefore = sns.fetched.length;
    for (const host of ['https://sns.eu-west-1.amazonaws.com.evil.test/cert.pem', 'http://sns.eu-west-1.amazonaws.com/cert.pem', 'https://evil.test/sns.eu-west-1.amazonaws.com/cert.pem', 'https://sns.eu-west-1.amazonaws.com:8443/cert.pem']) {
      await expectUnchanged(() => postSns(sns.message('Notification', { Message: bounce, SigningCertURL: host })), 401, 'INVALID_SIGNATURE');
    }
    assert.equal(sns.fetched.length, fetchedBefore, 'no request to a host that is not SNS');
    // Signed, then the message changed (a delivery turned into a bounce).
    const delivery = sesNotification({ type: 'Delivery', to: PATIENT_EMAIL }, m.providerMessageId);
    await expectUnchanged(() => postSns(sns.message('Notification', { Message: delivery }, { Message: bounce })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postSns(sns.message('Notification', { Message: bounce }, { Signature: '' })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postSns(sns.message('Notification', { Message: bounce }, { SignatureVersion: '2' })), 401, 'INVALID_SIGNATURE');
    await expectUnchanged(() => postSns(sns.message('Notification', { Message: bounce }, { TopicArn: 'arn:aws:sns:eu-west-1:999999999999:attacker' })), 401, 'INVALID_SIGNATURE');
    // A forged subscription confirmation is not visited.
    const confirmations = confirmedSubscriptions.length;
    await expectUnchanged(() => postSns(sns.message('SubscriptionConfirmation', { Message: 'x' }, { SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=other' })), 401, 'INVALID_SIGNATURE');
    assert.equal(confirmedSubscriptions.length, confirmations);
    expectError(await http.post(`${BASE}/ses`).set('Content-Type', 'text/plain').send('not json'), 400, 'INVALID_JSON');
  });

  test('a certificate AWS cannot serve answers 503 so SNS retries, and changes nothing', async () => {
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    const message = sns.message('Notification', { Message: sesNotification({ type: 'Complaint', to: PATIENT_EMAIL }, m.providerMessageId), SigningCertURL: SNS_CERT_URL.replace('.pem', '-rotated.pem') });
    await expectUnchanged(() => postSns(message), 503, 'SNS_CERTIFICATE_UNAVAILABLE');
  });
});

describe('SES_SNS_TOPIC_ARNS: only our own topics', () => {
  const OTHER_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:another-teams-topic';
  /** The API with the allow-list parsed from the environment, the way a deployment sets it. */
  const withTopics = (env: string) => webhookApp({ ...api.config, SES_SNS_TOPIC_ARNS: testConfig({ SES_SNS_TOPIC_ARNS: env }).SES_SNS_TOPIC_ARNS });
  const post = (app: ReturnType<typeof webhookApp>, message: SnsEnvelope) => app.post(`${BASE}/ses`).set('Content-Type', 'text/plain; charset=UTF-8').send(JSON.stringify(message));

  test('parsed as comma-separated ARNs; empty by default; a malformed entry stops start-up', () => {
    assert.deepEqual(api.config.SES_SNS_TOPIC_ARNS, []);
    assert.deepEqual(testConfig({ SES_SNS_TOPIC_ARNS: ` ${OTHER_TOPIC} ,, ${SES_TOPIC_ARN}` }).SES_SNS_TOPIC_ARNS, [OTHER_TOPIC, SES_TOPIC_ARN]);
    assert.throws(() => testConfig({ SES_SNS_TOPIC_ARNS: 'clinicflow-ses-feedback' }), /SES_SNS_TOPIC_ARNS\.0: must be an SNS topic ARN/);
  });

  test('a listed topic is confirmed and applied as before', async () => {
    const app = withTopics(`${OTHER_TOPIC},${SES_TOPIC_ARN}`);
    const confirmation = sns.message('SubscriptionConfirmation', { Message: 'You have chosen to subscribe to the topic…' });
    await post(app, confirmation).expect(200);
    assert.equal(confirmedSubscriptions.at(-1), confirmation.SubscribeURL);
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses' });
    await post(app, sns.message('Notification', { Message: sesNotification({ type: 'Delivery', to: PATIENT_EMAIL }, m.providerMessageId) })).expect(200);
    assert.equal((await messageRow(m.id)).status, 'DELIVERED');
  });

  test("AWS-signed messages of a topic not listed get 403: not confirmed, nothing changed, AWS's certificate not even fetched", async () => {
    // The fake signs for SES_TOPIC_ARN: with only another topic listed, that is someone else's topic.
    const app = withTopics(OTHER_TOPIC);
    const m = await sentMessage(clinicA, { channel: 'email', provider: 'ses', status: 'DELIVERED' });
    const [confirmations, fetched] = [confirmedSubscriptions.length, sns.fetched.length];
    await expectUnchanged(() => post(app, sns.message('SubscriptionConfirmation', { Message: 'x' })), 403, 'UNKNOWN_TOPIC');
    await expectUnchanged(() => post(app, sns.message('Notification', { Message: sesNotification({ type: 'Bounce', bounceType: 'Permanent', to: PATIENT_EMAIL }, m.providerMessageId) })), 403, 'UNKNOWN_TOPIC');
    await expectUnchanged(() => post(app, sns.message('UnsubscribeConfirmation', { Message: 'x' })), 403, 'UNKNOWN_TOPIC');
    assert.equal(confirmedSubscriptions.length, confirmations);
    assert.equal(sns.fetched.length, fetched);
    assert.equal((await messageRow(m.id)).status, 'DELIVERED');
  });
});

describe('the webhook routes as a whole', () => {
  test('are public and documented in the OpenAPI document', async () => {
    const doc = (await http.get('/api/v1/openapi.json').expect(200)).body as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const expected = { '/api/v1/webhooks/twilio/{clinicId}': ['post'], '/api/v1/webhooks/meta/{clinicId}': ['get', 'post'], '/api/v1/webhooks/vonage/{clinicId}': ['post'], '/api/v1/webhooks/messagebird/{clinicId}': ['get', 'post'], '/api/v1/webhooks/vonage-sms/{clinicId}': ['get', 'post'], '/api/v1/webhooks/ses': ['post'] };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) assert.deepEqual(doc.paths[path]?.[method]?.security, [], `${method} ${path} is public`);
    }
  });

  test('log no phone number, email address or secret', () => {
    for (const value of [PATIENT_PHONE, '447700900123', PATIENT_EMAIL, ...Object.values(SECRETS.a), ...Object.values(SECRETS.b)]) {
      assert.ok(!logged.includes(value), `logs hold ${value}`);
    }
    assert.ok(logged.includes('/api/v1/webhooks/twilio/'), 'the requests were logged');
  });
});
