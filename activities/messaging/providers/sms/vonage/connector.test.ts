/**
 * What is Vonage's own in the SMS connector (request shape, refusals inside an HTTP 200), through the real
 * `@vonage/server-sdk` against a local Vonage peer. Shared SMS cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { basicCredentials, type PeerReply } from '../../../../../test/fakes/http-peer';
import { startVonagePeer, type VonagePeer, vonageRefusal } from '../../../../../test/fakes/vonage-peer';
import { type ProviderError } from '../../provider-error';
import { type SmsMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type VonageCredentials, vonageSms } from './connector';

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

  test('verify() reads the balance', async () => {
    await connect().verify();
    assert.deepEqual([peer.requests.at(-1)?.method, peer.requests.at(-1)?.path], ['GET', '/account/get-balance']);
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
  ];
  for (const [name, reply, kind, code] of cases) {
    test(`${name} → ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
