/** The Vonage adapter through the real `@vonage/server-sdk` against a local Vonage peer. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { basicCredentials, closedPortUrl, type PeerReply } from '../../../../../test/fakes/http-peer';
import { startVonagePeer, type VonagePeer, vonageRefusal } from '../../../../../test/fakes/vonage-peer';
import { type ProviderError } from '../../provider-error';
import { type SmsMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { createVonageSms, type VonageCredentials, vonageSms } from './connector';

const creds: VonageCredentials = { apiKey: randomBytes(4).toString('hex'), apiSecret: `Sec${randomBytes(8).toString('hex')}`, from: '+447700900001' };
const message: SmsMessage = { from: '+447700900001', to: '+447700900123', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.apiSecret, message.to.slice(1), message.text]);

describe('Vonage SMS adapter', () => {
  let peer: VonagePeer;
  const connect = (overrides: Partial<VonageCredentials> = {}) => vonageSms.connect({ ...creds, ...overrides }, { vonage: peer.url });

  before(async () => {
    peer = await startVonagePeer(creds);
  });
  after(async () => {
    await peer.stop();
  });

  test('sends from, to, text and the idempotency key as client-ref; the receipt has the message id', async () => {
    const receipt = await connect().send(message);
    const sent = peer.messages.at(-1);
    assert.ok(sent);
    assert.deepEqual(
      { from: sent.from, to: sent.to, text: sent.text, clientRef: sent.clientRef },
      { from: '447700900001', to: '447700900123', text: message.text, clientRef: message.idempotencyKey },
    );
    assert.equal(receipt.providerMessageId, sent.messageId);
    assert.equal(basicCredentials(peer.requests.at(-1)?.headers ?? {})?.user, creds.apiKey);
  });

  test('an alphanumeric sender is sent as it is', async () => {
    await connect().send({ ...message, from: 'ClinicFlow' });
    assert.equal(peer.messages.at(-1)?.from, 'ClinicFlow');
  });

  test('verify() reads the balance; a wrong secret is AUTH', async () => {
    await connect().verify();
    assert.deepEqual([peer.requests.at(-1)?.method, peer.requests.at(-1)?.path], ['GET', '/account/get-balance']);
    const err = await providerError(connect({ apiSecret: 'wrong-secret' }).verify());
    assert.deepEqual([err.kind, err.code, err.permanent], ['AUTH', 'http:401', true]);
  });

  test('sending with a wrong secret is AUTH (status 4 in an HTTP 200)', async () => {
    const err = await providerError(connect({ apiSecret: 'wrong-secret' }).send(message));
    assert.deepEqual([err.kind, err.code], ['AUTH', 'vonage:4']);
  });

  test('a number Vonage cannot parse is INVALID_RECIPIENT', async () => {
    const err = await providerError(connect().send({ ...message, to: '+44 77 ABC' }));
    assert.deepEqual([err.kind, err.code], ['INVALID_RECIPIENT', 'vonage:3']);
  });

  const cases: [string, PeerReply, string, string][] = [
    ['1 throttled', vonageRefusal('1', 'Throughput Rate Exceeded'), 'RATE_LIMITED', 'vonage:1'],
    ['2 missing from', vonageRefusal('2', 'Missing from param'), 'REJECTED', 'vonage:2'],
    ['5 internal error', vonageRefusal('5', 'Internal Error'), 'TRANSIENT', 'vonage:5'],
    ['6 unroutable', vonageRefusal('6', 'Unroutable message - rejected'), 'INVALID_RECIPIENT', 'vonage:6'],
    ['7 number barred', vonageRefusal('7', 'Number barred.'), 'INVALID_RECIPIENT', 'vonage:7'],
    ['8 account barred', vonageRefusal('8', 'Partner account barred'), 'AUTH', 'vonage:8'],
    ['9 quota exceeded', vonageRefusal('9', 'Partner quota exceeded'), 'REJECTED', 'vonage:9'],
    ['15 invalid sender', vonageRefusal('15', 'Illegal Sender Address - rejected'), 'REJECTED', 'vonage:15'],
    ['29 not whitelisted', vonageRefusal('29', 'Non-White-listed Destination - rejected'), 'REJECTED', 'vonage:29'],
    ['HTTP 503', { status: 503, body: { title: 'Service Unavailable' } }, 'TRANSIENT', 'http:503'],
  ];
  for (const [name, reply, kind, code] of cases) {
    test(`${name} → ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }

  test('HTTP 429 with Retry-After is RATE_LIMITED with retryAfterMs', async () => {
    peer.failNext(1, { status: 429, headers: { 'Retry-After': '2' }, body: { title: 'Too Many Requests' } });
    const err = await providerError(connect().send(message));
    assert.deepEqual([err.kind, err.code, err.options.retryAfterMs, err.permanent], ['RATE_LIMITED', 'http:429', 2000, false]);
  });

  test('a refused connection is TRANSIENT', async () => {
    const err = await providerError(vonageSms.connect(creds, { vonage: await closedPortUrl() }).send(message));
    assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'network:ECONNREFUSED']);
  });

  test('a peer that never answers times out as TRANSIENT', async () => {
    peer.hangNext();
    const err = await providerError(createVonageSms({ timeoutMs: 200 }).connect(creds, { vonage: peer.url }).send(message));
    assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'network:ETIMEDOUT']);
  });

  test('the credential schema names the missing or invalid fields', () => {
    const result = vonageSms.credentials.safeParse({ apiKey: '', from: '+0' });
    assert.equal(result.success, false);
    assert.deepEqual(result.error?.issues.map((i) => i.path.join('.')).sort(), ['apiKey', 'apiSecret', 'from']);
    assert.ok(vonageSms.credentials.safeParse(creds).success);
    assert.deepEqual(vonageSms.secretFields, ['apiSecret', 'signatureSecret']);
  });
});
