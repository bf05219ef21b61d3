/**
 * Sending through the API as a client that retries would: Idempotency-Key replays, all-or-nothing
 * batches (Temporal unreachable leaves no message behind), dead letters and their redrive. Real
 * PostgreSQL, the real dev server, a real worker and a local SMTP server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { connectTemporalClient } from '../../temporal-config/client';
import { type SmtpPeer, startSmtpPeer } from '../../test/fakes/smtp-peer';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { deliveryOutcome } from '../../test/support/deliveries';
import { expectError } from '../../test/support/errors';
import { eventually } from '../../test/support/eventually';
import { startTestWorker, type TestWorker } from '../../test/support/worker';
import { startTemporalRelay } from '../../test/support/worker-process';
import { createApp } from '../app';

const ACCOUNT = { username: 'desk', password: 'desk-smtp-password-1' };
let api: TestApi;
let smtp: SmtpPeer;
let worker: TestWorker;
let clinicId: string;
let admin: Actor;
let desk: Actor;
let patientIds: string[];

before(async () => {
  api = await startTestApi();
  smtp = await startSmtpPeer(ACCOUNT);
  worker = await startTestWorker(api, { smtp: smtp.url });
  clinicId = (await createClinic(api, { name: 'Lakeside', tier: 'L' })).id;
  [admin, desk] = [await actor(api, 'CLINIC_ADMIN', clinicId), await actor(api, 'RECEPTIONIST', clinicId)];
  await api.http
    .put(`/api/v1/clinics/${clinicId}/communication/email`)
    .set(bearer(admin))
    .send({ providers: [{ provider: 'smtp', credentials: { host: 'mail.lakeside.test', port: 587, ...ACCOUNT, fromAddress: 'desk@lakeside.test' } }], settings: { retryAttempts: 1 } })
    .expect(200);
  const patients = await api.db.prisma.patient.createManyAndReturn({
    data: Array.from({ length: 100 }, (_, i) => ({ clinicId, firstName: `P${i}`, lastName: 'Lake', email: `p${i}@lakeside.test`, barcode: `LK-${i}` })),
  });
  patientIds = patients.map((p) => p.id);
});
after(async () => {
  await worker?.stop();
  await smtp?.stop();
  await api?.close();
});

const body = (extra: object = {}) => ({ category: 'manual', recipients: patientIds.map((patientId) => ({ patientId })), channels: ['email'], subject: 'Closed on Friday', body: 'The clinic is closed on Friday.', ...extra });
type Accepted = { batchId: string; messages: Array<{ id: string; workflowId: string }> };

describe('idempotent sends', () => {
  test('the same key and body twice answers the same ids and sends each message once; another body with that key is 422', async () => {
    const key = `newsletter-${randomUUID()}`;
    const first = (await api.http.post('/api/v1/communication/send').set(bearer(desk)).set('Idempotency-Key', key).send(body()).expect(202)).body as Accepted;
    const again = (await api.http.post('/api/v1/communication/send').set(bearer(desk)).set('Idempotency-Key', key).send(body()).expect(202)).body as Accepted;
    assert.equal(first.messages.length, 100);
    assert.deepEqual(again, first, 'the same answer');
    assert.equal(await api.db.prisma.message.count({ where: { clinicId, batchId: first.batchId } }), 100, 'nothing new written');

    const other = await api.http.post('/api/v1/communication/send').set(bearer(desk)).set('Idempotency-Key', key).send(body({ subject: 'Closed on Monday' }));
    expectError(other, 422, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await api.db.prisma.messageBatch.count({ where: { clinicId } }), 1);

    await Promise.all(first.messages.map((m) => deliveryOutcome(api.db.prisma, m.id)));
    for (let i = 0; i < 100; i++) assert.equal(smtp.received.filter((m) => m.envelope.to.includes(`p${i}@lakeside.test`)).length, 1, `patient ${i} got it once`);
  });

  test('Temporal unreachable: 503 with Retry-After and no message left behind; the retry with the same key sends each once', async () => {
    const relay = await startTemporalRelay(process.env.TEMPORAL_ADDRESS!);
    const cut = await connectTemporalClient({ address: relay.address, namespace: 'default', keys: api.config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: api.config.PAYLOAD_ENCRYPTION_KEY_ID });
    const offline = supertest(createApp({ config: api.config, prisma: api.db.prisma, temporal: cut, logger: pino({ level: 'silent' }), metrics: new Registry() }));
    await relay.close();
    const key = `closure-${randomUUID()}`;
    const before = await api.db.prisma.message.count({ where: { clinicId } });
    try {
      const refused = await offline.post('/api/v1/communication/send').set(bearer(desk)).set('Idempotency-Key', key).send(body({ subject: 'Snow closure' }));
      expectError(refused, 503, 'TEMPORAL_UNAVAILABLE');
      assert.ok(Number(refused.headers['retry-after']) > 0);
    } finally {
      await cut.connection.close().catch(() => undefined);
    }
    assert.equal(await api.db.prisma.message.count({ where: { clinicId } }), before, 'all or nothing: nothing');
    assert.equal(await api.db.prisma.messageBatch.count({ where: { clinicId, idempotencyKey: key } }), 0);

    const sent = (await api.http.post('/api/v1/communication/send').set(bearer(desk)).set('Idempotency-Key', key).send(body({ subject: 'Snow closure' })).expect(202)).body as Accepted;
    assert.equal(await api.db.prisma.message.count({ where: { clinicId } }), before + 100, 'one message per recipient, no duplicate');
    await Promise.all(sent.messages.map((m) => deliveryOutcome(api.db.prisma, m.id)));
    assert.equal(smtp.received.filter((m) => m.subject === 'Snow closure').length, 100);
  });

  test('one unknown recipient refuses the whole request before anything is written', async () => {
    const before = await api.db.prisma.message.count({ where: { clinicId } });
    const res = await api.http.post('/api/v1/communication/send').set(bearer(desk)).send(body({ recipients: [{ patientId: patientIds[0] }, { patientId: randomUUID() }] }));
    expectError(res, 404, 'NOT_FOUND');
    assert.equal(await api.db.prisma.message.count({ where: { clinicId } }), before);
  });
});

describe('dead letters and redrive', () => {
  test('a message that could not be delivered is listed with its reason; an admin runs it again under its own id, once however often clicked', async () => {
    smtp.rejectRecipient('gone@lakeside.test');
    const sent = (await api.http.post('/api/v1/communication/send').set(bearer(desk)).send({ category: 'manual', recipients: [{ email: 'gone@lakeside.test' }], channels: ['email'], body: 'Hello' }).expect(202)).body as Accepted;
    const [message] = sent.messages;
    assert.equal((await deliveryOutcome(api.db.prisma, message!.id)).status, 'FAILED');

    const dead = (await api.http.get('/api/v1/messages?status=FAILED,EXPIRED').set(bearer(admin)).expect(200)).body as { data: Array<{ id: string; status: string; failures: Array<{ kind: string }> }> };
    const listed = dead.data.find((m) => m.id === message!.id);
    assert.deepEqual([listed?.status, listed?.failures.map((f) => f.kind)], ['FAILED', ['INVALID_RECIPIENT']]);
    assert.ok(dead.data.every((m) => m.status === 'FAILED' || m.status === 'EXPIRED'));

    expectError(await api.http.post(`/api/v1/messages/${message!.id}/retry`).set(bearer(desk)).send({}), 403, 'FORBIDDEN');
    smtp.reset();
    const clicks = await Promise.all([1, 2].map(() => api.http.post(`/api/v1/messages/${message!.id}/retry`).set(bearer(admin)).send({})));
    // The second click finds it on its way (202) or, when the first run was that quick, delivered (409): never a second run.
    const statuses = clicks.map((c) => c.status).sort();
    assert.ok(statuses[0] === 202 && [202, 409].includes(statuses[1]!), `the clicks: ${statuses.join(', ')}`);
    const outcome = await deliveryOutcome(api.db.prisma, message!.id);
    assert.equal(outcome.status, 'DELIVERED');
    await eventually('the redriven message to be DELIVERED', async () => (await api.db.prisma.message.findUniqueOrThrow({ where: { id: message!.id } })).status === 'DELIVERED');
    const row = await api.db.prisma.message.findUniqueOrThrow({ where: { id: message!.id }, include: { attempts: { orderBy: { round: 'asc' } } } });
    assert.equal(row.redrives, 1, 'two clicks, one run');
    assert.deepEqual(row.attempts.map((a) => [a.round, a.outcome]), [[1, 'FAILED'], [2, 'ACCEPTED']], 'the rounds keep counting under the same id');
    assert.equal(smtp.received.filter((m) => m.envelope.to.includes('gone@lakeside.test')).length, 1);

    expectError(await api.http.post(`/api/v1/messages/${message!.id}/retry`).set(bearer(admin)).send({}), 409, 'NOT_RETRYABLE');
  });
});
