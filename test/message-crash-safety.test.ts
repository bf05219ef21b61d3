/**
 * Crash safety of message delivery, end to end: the real API accepts an SMS, the real worker
 * (workers/worker.ts) runs in a child process and is SIGKILLed in the middle of the send, a new
 * worker process takes over once Temporal's start-to-close timeout (1 minute) gives up on the dead
 * one, and the patient still gets the message exactly once. In the first scenario the new worker
 * runs from a bundle built ahead (npm run build:workflows, WORKFLOW_BUNDLE_PATH): it replays the
 * delivery that the self-bundling worker began.
 *
 * The Twilio stand-in here honours our X-Idempotency-Key the way a vendor with idempotency does:
 * a repeated key gets the first answer again (same message SID) and nothing new is delivered,
 * while every request is still recorded. test/fakes/twilio-peer.ts mints a new SID per request,
 * so this one is built on test/fakes/http-peer.ts instead.
 *
 * Each scenario waits out the one-minute activity timeout, so this file takes about two and a half minutes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { attemptKeyOf } from '../activities/messaging/delivery-activities';
import { deliveryOutcome } from './support/deliveries';
import { basicCredentials, type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './fakes/http-peer';
import { messageResource, readMessageForm, twilioError } from './fakes/twilio-peer';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { devServerAddress } from './support/temporal';
import { type Readiness, startTemporalRelay, startWorkerProcess, stopWorkerProcesses, type TemporalRelay, type WorkerProcess } from './support/worker-process';
import { eventually } from './support/eventually';
import { buildWorkflowBundle } from '../workers/workflow-bundle';

/** The worker in its own process reads everything from the environment, so the secrets are fixed here and shared with the API. */
const SECRETS = {
  JWT_SECRET: randomBytes(32).toString('hex'),
  PAYLOAD_ENCRYPTION_KEYS: `crash-1:${randomBytes(32).toString('base64')}`,
  PAYLOAD_ENCRYPTION_KEY_ID: 'crash-1',
  CREDENTIAL_ENCRYPTION_KEYS: `crash-cred-1:${randomBytes(32).toString('base64')}`,
  CREDENTIAL_ENCRYPTION_KEY_ID: 'crash-cred-1',
};
const ACCOUNT = { accountSid: `AC${'c0ffee00'.repeat(4)}`, authToken: 'crash-safety-auth-token' };
const SENDER = '+15005550006';

// ---------------------------------------------------------------------------------------------
// A Twilio Messages API that honours idempotency keys, and can hold its answer to a send.
// ---------------------------------------------------------------------------------------------

interface VendorMessage {
  sid: string;
  to: string;
  body: string;
  idempotencyKey?: string;
  /** The answer given when it was created, replayed for every repeat of its key. */
  reply: PeerReply;
}

/** One send the vendor has received and not yet answered. */
interface Hold {
  /** The request reached the vendor. */
  arrived: Promise<void>;
  /** Lets the vendor process the request (accept it, count it) and answer. */
  release(): void;
  /** The vendor has processed the request and written its answer, whether or not anyone still listens. */
  answered: Promise<void>;
}

interface IdempotentTwilioPeer extends HttpPeer {
  /** What the vendor delivered to handsets: one entry per message, a repeated key adds none. */
  delivered: VendorMessage[];
  /** The next Messages.json POST waits until the test releases it. */
  holdNext(): Hold;
  /** The next Messages.json POST is answered 503, before any hold. */
  failNext(): void;
  /** Every Messages.json POST to this number, repeats included, in order. */
  sendsTo(phone: string): RecordedRequest[];
}

const header = (req: RecordedRequest, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
const form = (req: RecordedRequest) => (req.body ?? {}) as Record<string, string | undefined>;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function startIdempotentTwilioPeer(account: typeof ACCOUNT): Promise<IdempotentTwilioPeer> {
  const accountPath = `/2010-04-01/Accounts/${account.accountSid}`;
  const delivered: VendorMessage[] = [];
  const byKey = new Map<string, VendorMessage>();
  const holds: Array<{ arrived: () => void; released: Promise<void>; answered: () => void }> = [];
  let failures = 0;

  const createMessage = (req: RecordedRequest): PeerReply => {
    const read = readMessageForm(req);
    if ('refused' in read) return read.refused;
    const idempotencyKey = header(req, 'x-idempotency-key');
    const earlier = idempotencyKey ? byKey.get(idempotencyKey) : undefined;
    if (earlier) return earlier.reply;

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const reply: PeerReply = { status: 201, body: messageResource(account, sid, read.form) };
    const { to, body } = read.form;
    const message: VendorMessage = { sid, to, body, idempotencyKey, reply };
    delivered.push(message);
    if (idempotencyKey) byKey.set(idempotencyKey, message);
    return reply;
  };

  const peer = await startHttpPeer(async (req) => {
    const auth = basicCredentials(req.headers);
    if (auth?.user !== account.accountSid || auth.password !== account.authToken || !req.path.startsWith(accountPath)) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (req.method === 'GET' && req.path === `${accountPath}.json`) {
      return { status: 200, body: { sid: account.accountSid, friendly_name: 'Local fake', status: 'active', type: 'Full', uri: `${accountPath}.json` } };
    }
    if (req.method === 'POST' && req.path === `${accountPath}/Messages.json`) {
      if (failures > 0) {
        failures--;
        return twilioError(503, 20503, 'Service Unavailable');
      }
      const hold = holds.shift();
      if (!hold) return createMessage(req);
      hold.arrived();
      await hold.released;
      // Processed only now: the sender may be long dead, the vendor accepts the message all the same.
      const reply = createMessage(req);
      hold.answered();
      return reply;
    }
    return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
  });

  return Object.assign(peer, {
    delivered,
    holdNext(): Hold {
      const [arrived, released, answered] = [deferred(), deferred(), deferred()];
      holds.push({ arrived: arrived.resolve, released: released.promise, answered: answered.resolve });
      return { arrived: arrived.promise, release: released.resolve, answered: answered.promise };
    },
    failNext: () => void failures++,
    sendsTo: (phone: string) => peer.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json') && form(r).To === phone),
  });
}

// ---------------------------------------------------------------------------------------------

let api: TestApi;
let twilio: IdempotentTwilioPeer;
let clinicId: string;
let admin: Actor;
let readiness: Readiness;
let relay: TemporalRelay | undefined;
let bundlePath: string;

function workerEnv(temporalAddress = devServerAddress()): Record<string, string> {
  return {
    ...SECRETS,
    NODE_ENV: 'test',
    DATABASE_URL: api.db.url,
    TEMPORAL_ADDRESS: temporalAddress,
    PROVIDER_ENDPOINTS: JSON.stringify({ twilio: twilio.url }),
    // No platform default: the clinic's Twilio account is the only way out.
    GLOBAL_MESSAGING_CONFIG: '{}',
  };
}

async function startWorker(temporalAddress?: string, extra: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = startWorkerProcess({ ...workerEnv(temporalAddress), ...extra }, readiness);
  await worker.ready;
  return worker;
}

async function crash(worker: WorkerProcess): Promise<void> {
  worker.kill('SIGKILL');
  assert.equal(await worker.exited, null, 'ended by the signal, not by itself');
}

async function patientWithPhone(phone: string, barcode: string) {
  return api.db.prisma.patient.create({ data: { clinicId, firstName: 'Noor', lastName: 'Haddad', phone, barcode } });
}

async function sendSms(patientId: string): Promise<{ id: string; workflowId: string }> {
  const res = await api.http
    .post('/api/v1/communication/send')
    .set(bearer(admin))
    .send({ category: 'manual', recipients: [{ patientId }], channels: ['sms'], body: 'Your physio session moved to 10:30 tomorrow.' })
    .expect(202);
  const [accepted] = (res.body as { messages: Array<{ id: string; workflowId: string }> }).messages;
  assert.ok(accepted);
  return accepted;
}


/** The send activity as Temporal sees it while it runs: its attempt and whether a worker holds it. */
async function pendingSend(workflowId: string) {
  const { raw } = await api.temporal.client.workflow.getHandle(workflowId).describe();
  return (raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'sendThroughProvider');
}

/** Attempt numbers of the send activity as recorded in history when it finished (the one that counted). */
async function finishedSendAttempts(workflowId: string): Promise<number[]> {
  const events = (await api.temporal.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const sends = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendThroughProvider').map((e) => String(e.eventId)));
  return events.flatMap((e) => {
    const started = e.activityTaskStartedEventAttributes;
    return started && sends.has(String(started.scheduledEventId)) ? [started.attempt ?? 0] : [];
  });
}

async function messageLog(id: string) {
  const res = await api.http.get(`/api/v1/messages/${id}`).set(bearer(admin)).expect(200);
  return res.body as { status: string; provider: string; providerMessageId: string | null; attempts: Array<{ attemptNumber: number; outcome: string; providerMessageId: string | null }> };
}

before(async () => {
  api = await startTestApi(SECRETS);
  readiness = { connection: api.temporal.connection, namespace: api.config.TEMPORAL_NAMESPACE };
  twilio = await startIdempotentTwilioPeer(ACCOUNT);
  const clinic = await createClinic(api, { name: 'Harbour Physio' });
  clinicId = clinic.id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  const saved = await api.http
    .put(`/api/v1/clinics/${clinicId}/communication/sms`)
    .set(bearer(admin))
    .send({ providers: [{ provider: 'twilio', credentials: { ...ACCOUNT, from: SENDER } }], settings: { retryAttempts: 3 } })
    .expect(200);
  twilioEntryId = (saved.body as { providers: Array<{ id: string }> }).providers[0]!.id;
  bundlePath = path.join(tmpdir(), `clinicflow-workflows-${process.pid}.js`);
  await writeFile(bundlePath, await buildWorkflowBundle());
});

let twilioEntryId: string;

after(async () => {
  await stopWorkerProcesses();
  await twilio?.stop();
  await api?.close();
});

describe('a worker killed during a send, then restarted', () => {
  // Each scenario needs to know which worker polls: none may survive into the next, even when an assertion failed.
  afterEach(async () => {
    await stopWorkerProcesses();
    await relay?.close();
    relay = undefined;
  });

  test('crash after the vendor accepted, before the worker recorded it: the retry resends with the same key and the vendor delivers once', { timeout: 180_000 }, async () => {
    const phone = '+447700900101';
    const patient = await patientWithPhone('+44 7700 900101', 'crash-a');
    const first = await startWorker();

    // The first try, made at once by the send request, meets a vendor hiccup: the message goes on
    // in its delivery workflow, whose send activity is where the worker dies.
    twilio.failNext();
    const hold = twilio.holdNext();
    const sent = await sendSms(patient.id);
    const key = attemptKeyOf(sent.id, 'sms', twilioEntryId);
    // Killed while its request is at the vendor, well within the adapter's own 10 s HTTP timeout.
    await hold.arrived;
    await crash(first);
    hold.release();
    await hold.answered;
    assert.equal(twilio.delivered.filter((m) => m.to === phone).length, 1, 'the vendor took the message, its answer went nowhere');
    const logged = await api.db.prisma.messageAttempt.findMany({ where: { messageId: sent.id } });
    assert.deepEqual(logged.map((a) => [a.attemptNumber, a.outcome]), [[1, 'FAILED']], 'only the first try is logged: the worker died before logging its retry');
    const pending = await pendingSend(sent.workflowId);
    assert.equal(pending?.attempt, 1, 'Temporal still believes the first attempt is running');

    // From the bundle built ahead, as a deployed worker starts: it replays what the first worker began.
    await startWorker(undefined, { WORKFLOW_BUNDLE_PATH: bundlePath });
    const result = await deliveryOutcome(api.db.prisma, sent.id);
    assert.deepEqual([result.status, result.channel, result.provider], ['DELIVERED', 'sms', 'twilio']);

    const sends = twilio.sendsTo(phone);
    assert.ok(sends.length >= 3, `the first try, the lost send and its retry went to the vendor (${sends.length} requests)`);
    assert.deepEqual(new Set(sends.map((r) => header(r, 'x-idempotency-key'))), new Set([key]), 'every request carried the same idempotency key');
    assert.deepEqual(new Set(sends.map((r) => form(r).Body)), new Set(['Your physio session moved to 10:30 tomorrow.']), 'and the same content');
    const delivered = twilio.delivered.filter((m) => m.to === phone);
    assert.deepEqual(delivered.map((m) => m.idempotencyKey), [key], 'the vendor delivered exactly one message for the key');

    const log = await messageLog(sent.id);
    assert.equal(log.status, 'DELIVERED');
    assert.equal(log.providerMessageId, delivered[0]!.sid, 'the receipt of the replayed answer is the original SID');
    const accepted = log.attempts.filter((a) => a.outcome === 'ACCEPTED');
    assert.equal(accepted.length, 1, 'exactly one ACCEPTED attempt in the delivery log');
    assert.ok(accepted[0]!.attemptNumber >= 3, 'recorded by the retry on the new worker');
    // The log counts the first try too; Temporal counts its own attempts.
    assert.deepEqual(await finishedSendAttempts(sent.workflowId), [accepted[0]!.attemptNumber - 1], 'Temporal counted the retry, not the lost first attempt');
  });

  test('crash after the worker recorded ACCEPTED, before Temporal heard back: the retry returns the receipt without calling the vendor', { timeout: 180_000 }, async () => {
    const phone = '+447700900202';
    const patient = await patientWithPhone(phone, 'crash-b');
    // The first worker reaches Temporal through a relay that the test can silence: the worker's
    // report of the finished activity is then lost however fast it comes, which a race against
    // a kill could not promise.
    const toTemporal = await startTemporalRelay(devServerAddress());
    relay = toTemporal;
    const first = await startWorker(toTemporal.address);

    // As above: past the first try, into the workflow's send.
    twilio.failNext();
    const hold = twilio.holdNext();
    const sent = await sendSms(patient.id);
    const key = attemptKeyOf(sent.id, 'sms', twilioEntryId);
    await hold.arrived;
    toTemporal.silence();
    hold.release();
    const row = await eventually('the ACCEPTED attempt row', () => api.db.prisma.messageAttempt.findFirst({ where: { messageId: sent.id, outcome: 'ACCEPTED' } }));
    await crash(first);
    // The dead worker's connections go too, as they would with the machine.
    await toTemporal.close();
    const pending = await pendingSend(sent.workflowId);
    assert.equal(pending?.attempt, 1, 'Temporal never heard that the first attempt finished');
    assert.equal(twilio.sendsTo(phone).length, 2, 'the first try and the send');

    await startWorker();
    const result = await deliveryOutcome(api.db.prisma, sent.id);
    assert.deepEqual([result.status, result.channel, result.provider], ['DELIVERED', 'sms', 'twilio']);

    const sends = twilio.sendsTo(phone);
    assert.equal(sends.length, 2, 'the retry did not call the vendor again');
    assert.equal(header(sends[1]!, 'x-idempotency-key'), key);
    const delivered = twilio.delivered.filter((m) => m.to === phone);
    assert.equal(delivered.length, 1);
    assert.deepEqual(await finishedSendAttempts(sent.workflowId), [2], 'the send that counted was the retry on the new worker');

    const log = await messageLog(sent.id);
    assert.equal(log.status, 'DELIVERED');
    assert.equal(log.providerMessageId, delivered[0]!.sid);
    assert.deepEqual(
      log.attempts.map((a) => [a.attemptNumber, a.outcome, a.providerMessageId]),
      [
        [1, 'FAILED', null],
        [2, 'ACCEPTED', row.providerMessageId],
      ],
      'the first try, then one send in the log: the one the retry reused',
    );
  });
});
