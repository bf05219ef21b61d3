/**
 * What is FCM's own in the push connector (payload shape, one Firebase app per client, dry-run verify, its
 * code table, the SDK's own 503 retry), through `firebase-admin` against a local OAuth + FCM v1 peer.
 * The cases every push connector shares are in ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { getApps } from 'firebase-admin/app';
import { fcmError, type FcmPeer, startFcmPeer } from '../../../../../test/fakes/fcm-peer';
import { type ProviderError } from '../../provider-error';
import { type ChannelClient, type PushMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type FcmCredentials, fcmPush } from './connector';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const creds = fcmPush.credentials.parse({ projectId: 'clinic-push-test', clientEmail: 'push@clinic-push-test.iam.gserviceaccount.com', privateKey: pem });
const DEVICE = 'dGVzdC1kZXZpY2UtdG9rZW4tMDAx:APA91bH-local-device';
const message: PushMessage = { token: DEVICE, title: 'Appointment tomorrow', body: 'Dr. Lovelace at 9:00', data: { appointmentId: 'apt-7' }, idempotencyKey: 'msg-42:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
async function providerError(promise: Promise<unknown>, peer?: FcmPeer): Promise<ProviderError> {
  const accessTokens = peer?.tokensIssued.map((t) => t.accessToken) ?? [];
  return rejectsWithProviderError(promise, [pem.split('\n')[1] ?? pem, DEVICE, message.title, message.body, ...accessTokens]);
}

describe('FCM push adapter', () => {
  let peer: FcmPeer;
  const clients: ChannelClient<'push'>[] = [];
  const connect = (overrides: Partial<FcmCredentials> = {}) => {
    const client = fcmPush.connect({ ...creds, ...overrides }, { fcm: peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startFcmPeer({ projectId: creds.projectId, clientEmail: creds.clientEmail, publicKey });
    peer.devices.add(DEVICE);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
    // Every Firebase app the adapter created is gone: nothing keeps the process alive.
    assert.deepEqual(getApps().map((app) => app.name), []);
  });

  test('sends title, body and data with the idempotency key, to FCM with a token from the service account', async () => {
    const receipt = await connect().send(message);
    const delivered = peer.delivered.at(-1);
    assert.deepEqual(delivered, {
      name: receipt.providerMessageId,
      token: DEVICE,
      notification: { title: message.title, body: message.body },
      data: { appointmentId: 'apt-7', idempotencyKey: message.idempotencyKey },
      idempotencyKey: message.idempotencyKey,
      host: 'fcm.googleapis.com',
    });
    assert.match(receipt.providerMessageId, new RegExp(`^projects/${creds.projectId}/messages/`));
    // The peer checked the assertion's iss and RS256 signature before issuing this token.
    assert.ok(peer.tokensIssued.length > 0);
  });

  test('each connect() has its own Firebase app, deleted by close()', async () => {
    const before = getApps().length;
    const [a, b] = [connect(), connect()];
    assert.equal(getApps().length, before + 2);
    await Promise.all([a.send(message), b.send(message)]);
    await a.close();
    await b.close();
    assert.equal(getApps().length, before);
  });

  test('without an endpoint override the SDK\'s own cert() credential takes the key (nothing is sent)', async () => {
    const client = fcmPush.connect(creds, {});
    await client.close();
    await client.close(); // closing twice is harmless
  });

  test('verify() is a dry run: credentials accepted, nothing delivered', async () => {
    const delivered = peer.delivered.length;
    await connect().verify();
    assert.equal(peer.delivered.length, delivered);
    assert.equal((peer.requests.at(-1)?.body as { validate_only?: boolean }).validate_only, true);
  });

  test('an unregistered device or a malformed token is INVALID_RECIPIENT with code fcm:unregistered (prune it)', async () => {
    peer.unregistered.add('uninstalled-device');
    for (const token of ['uninstalled-device', 'not-a-token']) {
      const err = await providerError(connect().send({ ...message, token }), peer);
      assert.deepEqual([err.kind, err.code, err.permanent], ['INVALID_RECIPIENT', 'fcm:unregistered', true]);
    }
  });

  const cases = [
    { reply: fcmError(401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR', 'APNs certificate rejected'), kind: 'AUTH', code: 'fcm:messaging/third-party-auth-error' },
    { reply: fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'SenderId mismatch'), kind: 'AUTH', code: 'fcm:messaging/mismatched-credential' },
    { reply: fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "badge"'), kind: 'REJECTED', code: 'fcm:messaging/invalid-argument' },
  ] as const;
  for (const { reply, kind, code } of cases) {
    test(`FCM answer ${code} is ${kind}`, async () => {
      peer.failNextSends(1, reply);
      const err = await providerError(connect().send(message), peer);
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }

  test('one 503 is retried by the SDK itself and the message goes through', async () => {
    peer.failNextSends(1, fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE', 'The service is currently unavailable.'));
    const receipt = await connect().send(message);
    assert.equal(peer.delivered.at(-1)?.name, receipt.providerMessageId);
  });

  test('a failing token endpoint is TRANSIENT, not AUTH', async () => {
    peer.failNext(1, { status: 503, body: { error: 'backend_error' } });
    const err = await providerError(connect().send(message), peer);
    assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'fcm:app/invalid-credential']);
  });

  test('credentials: a refused key is not echoed in the issues; an escaped PEM is unescaped', () => {
    const result = fcmPush.credentials.safeParse({ projectId: 'Clinic Push', clientEmail: 'not-an-email', privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' });
    assert.equal(result.success, false);
    assert.ok(!JSON.stringify(result.error.issues).includes('nope'), 'issues must not echo the key');
    const escaped = fcmPush.credentials.parse({ ...creds, privateKey: pem.replace(/\n/g, '\\n') });
    assert.equal(escaped.privateKey, pem);
  });
});
