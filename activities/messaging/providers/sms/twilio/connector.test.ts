/**
 * What is Twilio's own in the SMS connector (request shape, Messaging Services, its code table), through
 * the real `twilio` SDK against a local Twilio peer. The cases every SMS connector shares are in ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTwilioPeer, type TwilioPeer, twilioError } from '../../../../../test/fakes/twilio-peer';
import { type ProviderError } from '../../provider-error';
import { type SmsMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type TwilioCredentials, twilioSms } from './connector';

const creds: TwilioCredentials = {
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  authToken: `token-${randomBytes(12).toString('hex')}`,
  from: '+15005550006',
};
const message: SmsMessage = { from: '+15005550006', to: '+14155550123', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.authToken, message.to, message.to.slice(1), message.text]);

describe('Twilio SMS adapter', () => {
  let peer: TwilioPeer;
  const clients: { close(): Promise<void> }[] = [];
  const connect = (overrides: Partial<TwilioCredentials> = {}) => {
    const client = twilioSms.connect({ ...creds, ...overrides }, { twilio: peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startTwilioPeer(creds);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  });

  test('sends from, to, body and the idempotency key; the receipt has the message SID', async () => {
    const client = connect();
    const receipt = await client.send(message);
    const sent = peer.messages.at(-1);
    assert.ok(sent);
    assert.deepEqual(
      { to: sent.to, from: sent.from, body: sent.body, idempotencyKey: sent.idempotencyKey },
      { to: message.to, from: message.from, body: message.text, idempotencyKey: message.idempotencyKey },
    );
    assert.match(receipt.providerMessageId, /^SM[0-9a-f]{32}$/);
    assert.equal(receipt.providerMessageId, sent.sid);
  });

  test('concurrent sends on one client each carry their own idempotency key', async () => {
    const client = connect();
    const keys = ['msg-1:1', 'msg-2:1', 'msg-3:1'];
    const receipts = await Promise.all(keys.map((idempotencyKey) => client.send({ ...message, idempotencyKey })));
    const keyBySid = new Map(peer.messages.map((m) => [m.sid, m.idempotencyKey]));
    assert.deepEqual(receipts.map((r) => keyBySid.get(r.providerMessageId)), keys);
  });

  test('a Messaging Service SID is sent as MessagingServiceSid, not From', async () => {
    const service = `MG${'a'.repeat(32)}`;
    const client = connect({ from: service });
    await client.send({ ...message, from: '' });
    const sent = peer.messages.at(-1);
    assert.equal(sent?.messagingServiceSid, service);
    assert.equal(sent?.from, undefined);
  });

  test('verify() fetches the account', async () => {
    const client = connect();
    await client.verify();
    assert.equal(peer.requests.at(-1)?.path, `/2010-04-01/Accounts/${creds.accountSid}.json`);
  });

  const cases: [string, ReturnType<typeof twilioError>, string, string][] = [
    ['not a mobile number', twilioError(400, 21614, `'To' number ${message.to} is not a valid mobile number`), 'INVALID_RECIPIENT', 'twilio:21614'],
    ['no route', twilioError(400, 21612, 'The To phone number is not currently reachable'), 'INVALID_RECIPIENT', 'twilio:21612'],
    ['region not enabled', twilioError(400, 21408, `Permission to send an SMS has not been enabled for ${message.to}`), 'INVALID_RECIPIENT', 'twilio:21408'],
    ['recipient replied STOP', twilioError(400, 21610, `Attempt to send to unsubscribed recipient ${message.to}`), 'UNSUBSCRIBED', 'twilio:21610'],
    ['account suspended', twilioError(401, 20005, 'Account not active'), 'AUTH', 'twilio:20005'],
    ['HTTP 401 without a code', { status: 401, body: '' }, 'AUTH', 'http:401'],
    ['other 4xx', twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit'), 'REJECTED', 'twilio:21617'],
  ];
  for (const [name, reply, kind, code] of cases) {
    test(`${name} → ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
