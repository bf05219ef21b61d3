/** The delivery activities against PostgreSQL and a local Twilio peer, through the real adapter. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sealProvider } from '../../prisma/communication-config';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type SendOutcome } from '../../domain/message-delivery';
import { type Prisma } from '../../prisma/generated/client';
import { startMetaWhatsAppPeer, type MetaWhatsAppPeer } from '../../test/fakes/meta-whatsapp-peer';
import { startTwilioPeer, twilioError, type TwilioPeer } from '../../test/fakes/twilio-peer';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createDeliveryActivities } from './delivery-activities';
import { ProviderClientCache } from './provider-clients';

const ACCOUNT = { accountSid: `AC${'a1'.repeat(16)}`, authToken: 'twilio-auth-token-0123' };
const TWILIO = { id: 'twilio-main', label: 'Main number', provider: 'twilio' };
const TWILIO_ENTRY = { entryId: TWILIO.id, label: TWILIO.label, provider: 'twilio', source: 'clinic' as const };
const HOUR_MS = 3_600_000;
let db: TestDatabase;
let peer: TwilioPeer;
const META = { phoneNumberId: '106540352242922', accessToken: 'EAAG-meta-access-token-0123456789' };
let meta: MetaWhatsAppPeer;
let acts: ReturnType<typeof createDeliveryActivities>;
let clients: ProviderClientCache;
let clinicId: string;
let patientId: string;
let cipher: CredentialCipher;

before(async () => {
  db = await createTestDatabase();
  peer = await startTwilioPeer(ACCOUNT);
  // Ana has not written to the clinic on WhatsApp lately: free-form text cannot reach her there.
  meta = await startMetaWhatsAppPeer({ ...META, windowOpenWith: [] });
  cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
  clients = new ProviderClientCache();
  acts = createDeliveryActivities({ prisma: db.prisma, cipher, clients, endpoints: { twilio: peer.url, 'meta-whatsapp': meta.url }, globalConfig: {} });
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Delivery', timezone: 'UTC', licenseTierCode: 'S' } })).id;
  patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'Ana', lastName: 'Diaz', phone: '+44 7700 900123', email: 'ana@example.test', barcode: 'D-1' } })).id;
  const twilio = sealProvider(cipher, { clinicId, channel: 'sms' }, TWILIO, { ...ACCOUNT, from: '+15005550006' }, ['authToken']);
  await db.prisma.communicationConfig.create({ data: { clinicId, channel: 'sms', providers: [twilio] as Prisma.InputJsonValue, settings: { retryAttempts: 2, rateLimits: { perMinute: 30 } } } });
});
after(async () => {
  await clients.closeAll();
  await peer.stop();
  await meta.stop();
  await db.drop();
});

let n = 0;
async function message(channels: Array<'sms' | 'email' | 'whatsapp'>) {
  const id = `01900000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
  await db.prisma.message.create({ data: { id, clinicId, patientId, category: 'manual', channels, body: 'See you tomorrow, {{patientName}}', workflowId: `message/${clinicId}/${id}` } });
  return id;
}
/** One try of the clinic's Twilio entry, as Temporal would run it: attempt `attempt`, due at `at` on Temporal's clock. */
const sendAt = (messageId: string, { attempt = 1, at = Date.now(), retryAttempts = 2, limits = {}, deadlineMs = undefined as number | undefined } = {}) =>
  new MockActivityEnvironment({ attempt, currentAttemptScheduledTimestampMs: at }).run<[], SendOutcome, () => Promise<SendOutcome>>(() =>
    acts.sendThroughProvider({ clinicId, messageId, channel: 'sms', entry: TWILIO_ENTRY, round: 1, retryAttempts, limits, deadlineMs: deadlineMs ?? at + HOUR_MS }),
  );
async function send(messageId: string, attempt = 1): Promise<{ providerMessageId: string }> {
  const sent = await sendAt(messageId, { attempt });
  assert.equal(sent.outcome, 'accepted');
  return { providerMessageId: sent.outcome === 'accepted' ? sent.providerMessageId : '' };
}

describe('planning', () => {
  test('configured channels become steps with the clinic\'s settings; others are skipped with the reason', async () => {
    await db.prisma.suppression.create({ data: { clinicId, channel: 'email', address: 'ana@example.test', reason: 'HARD_BOUNCE' } });
    const plan = await acts.prepareDelivery({ clinicId, messageId: await message(['whatsapp', 'sms', 'email']) });
    assert.deepEqual(plan.skipped, [
      { channel: 'whatsapp', kind: 'NO_PROVIDER' },
      { channel: 'email', kind: 'SUPPRESSED' },
    ]);
    assert.deepEqual(plan.steps, [{ channel: 'sms', providers: [TWILIO_ENTRY], retryAttempts: 2, limits: { perSecond: undefined, perMinute: 30, perHour: undefined, perDay: undefined } }]);
    assert.equal(plan.suppressed, false);
    assert.equal(plan.roundsBefore, 0);
    assert.ok(Math.abs(plan.deadlineMs - (Date.now() + 72 * HOUR_MS)) < 60_000, 'a message with no deadline of its own keeps 72 hours');
    await db.prisma.suppression.deleteMany({ where: { clinicId } });
  });

  test("the patient's preferred channels go first and channels the patient opted out of are never tried", async () => {
    await configureWhatsApp({});
    await db.prisma.patient.update({ where: { id: patientId }, data: { preferredChannels: ['sms'], optedOutChannels: ['email'] } });
    try {
      const plan = await acts.prepareDelivery({ clinicId, messageId: await message(['email', 'whatsapp', 'sms']) });
      assert.deepEqual(plan.steps.map((s) => s.channel), ['sms', 'whatsapp'], 'SMS first, as the patient prefers; then the sender\'s order');
      assert.deepEqual(plan.skipped, [{ channel: 'email', kind: 'OPTED_OUT' }]);
      assert.equal(plan.suppressed, false);

      const refused = await acts.prepareDelivery({ clinicId, messageId: await message(['email']) });
      assert.deepEqual([refused.steps, refused.suppressed], [[], true], 'nothing to try and nothing failed: SUPPRESSED');
    } finally {
      await db.prisma.patient.update({ where: { id: patientId }, data: { preferredChannels: [], optedOutChannels: [] } });
      await db.prisma.communicationConfig.deleteMany({ where: { clinicId, channel: 'whatsapp' } });
    }
  });
});

async function configureWhatsApp(settings: Record<string, unknown>) {
  const entry = sealProvider(cipher, { clinicId, channel: 'whatsapp' }, { id: 'meta', label: 'meta', provider: 'meta' }, META, ['accessToken']);
  await db.prisma.communicationConfig.upsert({
    where: { clinicId_channel: { clinicId, channel: 'whatsapp' } },
    create: { clinicId, channel: 'whatsapp', providers: [entry] as Prisma.InputJsonValue, settings: settings as Prisma.InputJsonValue },
    update: { providers: [entry] as Prisma.InputJsonValue, settings: settings as Prisma.InputJsonValue },
  });
}

describe('WhatsApp templates', () => {
  const reminder = async (language: string) => {
    const id = `01900000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
    await db.prisma.message.create({
      data: { id, clinicId, patientId, category: 'appointment-reminder', channels: ['whatsapp'], templateKey: 'appointment-reminder', variables: { date: '2026-12-01', time: '09:30' }, language, workflowId: `message/${clinicId}/${id}` },
    });
    return id;
  };
  const sendWhatsApp = (messageId: string) =>
    new MockActivityEnvironment({ attempt: 1, currentAttemptScheduledTimestampMs: Date.now() }).run(() =>
      acts.sendThroughProvider({ clinicId, messageId, channel: 'whatsapp', entry: { entryId: 'meta', label: 'meta', provider: 'meta', source: 'clinic' }, round: 1, retryAttempts: 1, limits: {}, deadlineMs: Date.now() + HOUR_MS }),
    );

  after(() => db.prisma.communicationConfig.deleteMany({ where: { clinicId, channel: 'whatsapp' } }));

  test("outside the 24-hour window a reminder goes as the clinic's approved template, its parameters filled in order", async () => {
    await configureWhatsApp({
      whatsappTemplates: { 'appointment-reminder': { name: 'visit_reminder', parameters: ['patientName', 'date', 'time'], languages: { en: 'en_US' } } },
    });
    for (const [language, code] of [['en', 'en_US'], ['es', 'es']] as const) {
      const id = await reminder(language);
      await sendWhatsApp(id);
      const sent = meta.messages.find((m) => m.idempotencyKey === `${id}:whatsapp:meta`);
      assert.equal(sent?.type, 'template');
      assert.deepEqual([sent?.template?.name, sent?.template?.language.code], ['visit_reminder', code]);
      assert.deepEqual(sent?.template?.components?.[0]?.parameters.map((p) => p.text), ['Ana', '2026-12-01', '09:30']);
    }
  });

  test('without an approved template the text is refused by WhatsApp outside the window: a permanent failure, not retried', async () => {
    await configureWhatsApp({});
    const id = await reminder('en');
    await assert.rejects(sendWhatsApp(id), (err: unknown) => err instanceof ApplicationFailure && err.type === 'REJECTED' && err.nonRetryable === true);
    const [attempt] = await db.prisma.messageAttempt.findMany({ where: { messageId: id } });
    assert.deepEqual([attempt?.outcome, attempt?.errorCode], ['FAILED', 'meta:131047']);
  });
});

describe('sending', () => {
  test('the text is rendered from the patient record, sent once, and a retry after acceptance does not send again', async () => {
    const id = await message(['sms']);
    const forThis = () => peer.messages.filter((m) => m.idempotencyKey === `${id}:sms:twilio-main`);
    const receipt = await send(id, 1);
    assert.equal(forThis().length, 1);
    assert.deepEqual([forThis()[0]!.to, forThis()[0]!.body], ['+447700900123', 'See you tomorrow, Ana']);
    assert.deepEqual(await send(id, 2), receipt, 'the earlier receipt');
    assert.equal(forThis().length, 1, 'no second message');
    const attempts = await db.prisma.messageAttempt.findMany({ where: { messageId: id } });
    assert.deepEqual(attempts.map((a) => [a.outcome, a.attemptKey, a.providerEntryId, a.providerLabel, a.round, a.providerMessageId]), [['ACCEPTED', `${id}:sms:twilio-main`, 'twilio-main', 'Main number', 1, receipt.providerMessageId]]);
  });

  test('a recipient who replied STOP at the vendor is remembered as opted out; the failure is permanent and typed', async () => {
    const id = await message(['sms']);
    peer.failNext(1, twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    await assert.rejects(send(id), (err: unknown) => err instanceof ApplicationFailure && err.type === 'UNSUBSCRIBED' && err.nonRetryable === true);
    const suppression = await db.prisma.suppression.findUnique({ where: { clinicId_channel_address: { clinicId, channel: 'sms', address: '+447700900123' } } });
    assert.equal(suppression?.reason, 'UNSUBSCRIBED');
    const [attempt] = await db.prisma.messageAttempt.findMany({ where: { messageId: id } });
    assert.deepEqual([attempt?.outcome, attempt?.errorKind, attempt?.errorCode], ['FAILED', 'UNSUBSCRIBED', 'twilio:21610']);
    await db.prisma.suppression.deleteMany({ where: { clinicId } });
  });

  test('a vendor outage is transient and retryable', async () => {
    const id = await message(['sms']);
    peer.failNext(1, twilioError(503, 20500, 'Service unavailable'));
    await assert.rejects(send(id), (err: unknown) => err instanceof ApplicationFailure && err.type === 'TRANSIENT' && err.nonRetryable === false);
    await send(id, 2);
    assert.equal(peer.messages.filter((m) => m.idempotencyKey === `${id}:sms:twilio-main`).length, 1);
  });

  test('finishing records the outcome and the accepted provider message id', async () => {
    const id = await message(['sms']);
    const { providerMessageId } = await send(id);
    await acts.finishMessage({ clinicId, messageId: id, result: { status: 'DELIVERED', channel: 'sms', provider: 'twilio', entryId: TWILIO.id, failures: [] } });
    const row = await db.prisma.message.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.channel, row.provider, row.providerEntryId, row.providerMessageId], ['DELIVERED', 'sms', 'twilio', 'twilio-main', providerMessageId]);
    assert.ok(row.deliveredAt);
  });
});

describe('one try holds everything a try needs: deadline, circuit, rate limit', () => {
  after(() => db.prisma.providerCircuit.deleteMany({ where: { clinicId } }));

  test('an attempt due past the message deadline is refused as EXPIRED, sends nothing and logs nothing', async () => {
    const id = await message(['sms']);
    await assert.rejects(sendAt(id, { deadlineMs: Date.now() - 1 }), (err: unknown) => err instanceof ApplicationFailure && err.type === 'EXPIRED' && err.nonRetryable === true);
    assert.equal(peer.messages.filter((m) => m.idempotencyKey === `${id}:sms:twilio-main`).length, 0);
    assert.equal(await db.prisma.messageAttempt.count({ where: { messageId: id } }), 0);
  });

  test('the last failed try of a run counts against the entry; the open circuit then holds sends back with its reopening time', async () => {
    const at = Date.now();
    for (let i = 0; i < 3; i++) {
      const id = await message(['sms']);
      peer.failNext(2, twilioError(503, 20500, 'Service unavailable'));
      await assert.rejects(sendAt(id, { attempt: 1, at, retryAttempts: 2 }));
      await assert.rejects(sendAt(id, { attempt: 2, at, retryAttempts: 2 }));
    }
    const circuit = await db.prisma.providerCircuit.findFirstOrThrow({ where: { clinicId, entryId: TWILIO.id } });
    assert.deepEqual([circuit.state, circuit.consecutiveFailures], ['OPEN', 3], 'one count per exhausted run, not per try');
    const held = await sendAt(await message(['sms']), { at: at + 1000 });
    assert.equal(held.outcome, 'circuit-open');
    assert.equal(held.outcome === 'circuit-open' && held.reopensAtMs, circuit.openedAt!.getTime() + 5 * 60_000);
  });

  test('a full rate-limit window answers how long to wait instead of sending', async () => {
    await db.prisma.providerCircuit.deleteMany({ where: { clinicId } });
    const at = Date.UTC(2030, 0, 1, 9, 0, 10);
    assert.equal((await sendAt(await message(['sms']), { at, limits: { perMinute: 1 } })).outcome, 'accepted');
    assert.deepEqual(await sendAt(await message(['sms']), { at: at + 5000, limits: { perMinute: 1 } }), { outcome: 'rate-limited', waitMs: 45_000 });
  });

  test('RETRYING keeps the next try time and the reasons; EXPIRED clears it; a webhook status is never overwritten', async () => {
    const id = await message(['sms']);
    const next = Date.now() + 30_000;
    await acts.markMessageRetrying({ clinicId, messageId: id, nextAttemptAtMs: next, failures: [{ channel: 'sms', entryId: TWILIO.id, kind: 'TRANSIENT', round: 1 }] });
    let row = await db.prisma.message.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.nextAttemptAt?.getTime(), (row.failures as Array<{ kind: string }>)[0]?.kind], ['RETRYING', next, 'TRANSIENT']);
    await acts.finishMessage({ clinicId, messageId: id, result: { status: 'EXPIRED', failures: [] } });
    row = await db.prisma.message.findUniqueOrThrow({ where: { id } });
    assert.deepEqual([row.status, row.nextAttemptAt], ['EXPIRED', null]);

    const read = await message(['sms']);
    await db.prisma.message.update({ where: { id: read }, data: { status: 'READ' } });
    await acts.markMessageRetrying({ clinicId, messageId: read, nextAttemptAtMs: next, failures: [] });
    assert.equal((await db.prisma.message.findUniqueOrThrow({ where: { id: read } })).status, 'READ');
  });
});
