/** The Twilio adapter through the real `twilio` SDK against a local Twilio peer. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closedPortUrl } from '../../../../../test/fakes/http-peer';
import { startTwilioPeer, type TwilioPeer, twilioError } from '../../../../../test/fakes/twilio-peer';
import { type ProviderError } from '../../provider-error';
import { type SmsMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { createTwilioSms, type TwilioCredentials, twilioSms } from './connector';

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

  test('verify() fetches the account; a wrong token is AUTH', async () => {
    const client = connect();
    await client.verify();
    assert.equal(peer.requests.at(-1)?.path, `/2010-04-01/Accounts/${creds.accountSid}.json`);

    const wrong = connect({ authToken: 'not-the-token' });
    const err = await providerError(wrong.verify());
    assert.deepEqual([err.kind, err.code, err.permanent], ['AUTH', 'twilio:20003', true]);
  });

  test('sending with a wrong token is AUTH', async () => {
    const err = await providerError(connect({ authToken: 'not-the-token' }).send(message));
    assert.equal(err.kind, 'AUTH');
  });

  test('a number Twilio cannot parse is INVALID_RECIPIENT', async () => {
    const err = await providerError(connect().send({ ...message, to: '0415' }));
    assert.deepEqual([err.kind, err.code], ['INVALID_RECIPIENT', 'twilio:21211']);
  });

  const cases: [string, ReturnType<typeof twilioError>, string, string][] = [
    ['not a mobile number', twilioError(400, 21614, `'To' number ${message.to} is not a valid mobile number`), 'INVALID_RECIPIENT', 'twilio:21614'],
    ['no route', twilioError(400, 21612, 'The To phone number is not currently reachable'), 'INVALID_RECIPIENT', 'twilio:21612'],
    ['region not enabled', twilioError(400, 21408, `Permission to send an SMS has not been enabled for ${message.to}`), 'INVALID_RECIPIENT', 'twilio:21408'],
    ['recipient replied STOP', twilioError(400, 21610, `Attempt to send to unsubscribed recipient ${message.to}`), 'UNSUBSCRIBED', 'twilio:21610'],
    ['account suspended', twilioError(401, 20005, 'Account not active'), 'AUTH', 'twilio:20005'],
    ['HTTP 401 without a code', { status: 401, body: '' }, 'AUTH', 'http:401'],
    ['other 4xx', twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit'), 'REJECTED', 'twilio:21617'],
    ['5xx', twilioError(503, 20503, 'Service unavailable'), 'TRANSIENT', 'twilio:20503'],
  ];
  for (const [name, reply, kind, code] of cases) {
    test(`${name} → ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }

  test('429 with Retry-After is RATE_LIMITED with retryAfterMs', async () => {
    peer.failNext(1, twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': '7' }));
    const err = await providerError(connect().send(message));
    assert.deepEqual([err.kind, err.code, err.options.retryAfterMs, err.permanent], ['RATE_LIMITED', 'twilio:20429', 7000, false]);
  });

  test('a refused connection is TRANSIENT', async () => {
    const client = twilioSms.connect(creds, { twilio: await closedPortUrl() });
    const err = await providerError(client.send(message));
    assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'network:ECONNREFUSED']);
    await client.close();
  });

  test('a peer that never answers times out as TRANSIENT', async () => {
    peer.hangNext();
    const client = createTwilioSms({ timeoutMs: 200 }).connect(creds, { twilio: peer.url });
    const err = await providerError(client.send(message));
    assert.equal(err.kind, 'TRANSIENT');
    await client.close();
  });

  test('the credential schema names the missing or invalid fields', () => {
    const result = twilioSms.credentials.safeParse({ accountSid: 'SK123', from: 'clinic' });
    assert.equal(result.success, false);
    const paths = result.error?.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(paths, ['accountSid', 'authToken', 'from']);
    assert.ok(twilioSms.credentials.safeParse(creds).success);
    assert.deepEqual(twilioSms.secretFields, ['authToken']);
  });
});
