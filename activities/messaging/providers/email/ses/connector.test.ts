/**
 * What is SES's own in the email connector (SendEmail shape, sender encoding, account checks, error names),
 * through the AWS SDK against a local SES peer. The cases every email connector shares are in ../contract.test.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSesPeer, type SesPeer } from '../../../../../test/fakes/ses-peer';
import { ProviderError } from '../../provider-error';
import { type ChannelClient, type EmailMessage } from '../../types';
import { IDEMPOTENCY_HEADER, sesEmailProvider, toProviderError, type SesCredentials } from './connector';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const RECIPIENT = 'patient.jane@example.test';
const BODY = 'Your session with Dr. Weiss is tomorrow at 10:00.';

let peer: SesPeer;
const open: ChannelClient<'email'>[] = [];

before(async () => {
  peer = await startSesPeer({ accessKeyId: ACCESS_KEY_ID });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  peer.reset();
});
after(async () => peer.stop());

const credentials = (overrides: Partial<SesCredentials> = {}): SesCredentials =>
  sesEmailProvider.credentials.parse({
    region: 'eu-west-1',
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    fromAddress: 'front-desk@sunrise.test',
    fromName: 'Sunrise Clinic',
    ...overrides,
  });

function client(overrides: Partial<SesCredentials> = {}, endpoint = peer.url): ChannelClient<'email'> {
  const c = sesEmailProvider.connect(credentials(overrides), { ses: endpoint });
  open.push(c);
  return c;
}

const message = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  idempotencyKey: 'msg-01J9ZK7Q-attempt-1',
  from: { address: 'front-desk@sunrise.test' },
  to: RECIPIENT,
  subject: 'Reminder: your appointment',
  text: BODY,
  ...overrides,
});

/** The failure is a ProviderError of this kind whose message leaks no secret, address or content. */
async function rejectsWith(promise: Promise<unknown>, kind: ProviderError['kind']): Promise<ProviderError> {
  const err = await promise.then(
    () => assert.fail(`expected ProviderError ${kind}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
  assert.equal(err.kind, kind, `${err.code}: ${err.message}`);
  for (const secret of [SECRET, RECIPIENT, 'Dr. Weiss']) assert.ok(!err.message.includes(secret), `message leaks "${secret}": ${err.message}`);
  return err;
}

describe('sending', () => {
  test('SendEmail carries the sender, recipient, subject, text and the idempotency key, signed with the clinic\'s key', async () => {
    const receipt = await client({ configurationSetName: 'clinic-events' }).send(message({ html: '<p>See you</p>', replyTo: 'desk@sunrise.test' }));

    assert.equal(peer.sent.length, 1);
    const [mail] = peer.sent;
    assert.ok(mail);
    assert.equal(receipt.providerMessageId, mail.messageId);
    assert.equal(mail.from, '"Sunrise Clinic" <front-desk@sunrise.test>');
    assert.deepEqual(mail.to, [RECIPIENT]);
    assert.deepEqual(mail.replyTo, ['desk@sunrise.test']);
    assert.equal(mail.subject, 'Reminder: your appointment');
    assert.equal(mail.text, BODY);
    assert.equal(mail.html, '<p>See you</p>');
    assert.deepEqual(mail.headers, { [IDEMPOTENCY_HEADER]: 'msg-01J9ZK7Q-attempt-1' });
    assert.equal(mail.configurationSetName, 'clinic-events');
    assert.deepEqual(peer.requests[0]?.credential, { accessKeyId: ACCESS_KEY_ID, region: 'eu-west-1', service: 'ses' });
  });

  test('a non-ASCII sender name is sent as an encoded word', async () => {
    await client({ fromName: 'Praxis Müller' }).send(message());
    assert.equal(peer.sent[0]?.from, `=?UTF-8?B?${Buffer.from('Praxis Müller').toString('base64')}?= <front-desk@sunrise.test>`);
  });

  test('a resend of the same attempt carries the same key, so it is recognisable', async () => {
    const c = client();
    await c.send(message());
    await c.send(message());
    assert.equal(peer.countByHeader(IDEMPOTENCY_HEADER, 'msg-01J9ZK7Q-attempt-1'), 2);
  });
});

describe('verify', () => {
  test('reads the account', async () => {
    await client().verify();
    assert.equal(peer.requests[0]?.path, '/v2/email/account');
  });

  test('fails with AUTH when the account may not send', async () => {
    peer.setSendingEnabled(false);
    await rejectsWith(client().verify(), 'AUTH');
  });
});

describe('error mapping', () => {
  test('the SDK does not retry a 429 or a 500 on its own: retries are Temporal\'s', async () => {
    peer.failNext({ status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.', headers: { 'Retry-After': '3' } });
    await rejectsWith(client().send(message()), 'RATE_LIMITED');
    assert.equal(peer.requests.length, 1);
    peer.failNext({ status: 500, type: 'InternalFailure', message: 'Internal failure' });
    await rejectsWith(client().send(message()), 'TRANSIENT');
    assert.equal(peer.requests.length, 2);
  });

  test('MessageRejected is REJECTED, even when SES echoes the recipient', async () => {
    peer.failNext({ status: 400, type: 'MessageRejected', message: `Email address is not verified: ${RECIPIENT}` });
    const err = await rejectsWith(client().send(message()), 'REJECTED');
    assert.equal(err.code, 'ses:MessageRejected');
    assert.equal(err.permanent, true);
  });

  test('a paused account is AUTH', async () => {
    peer.failNext({ status: 400, type: 'SendingPausedException', message: 'Sending is paused for this account.' });
    await rejectsWith(client().send(message()), 'AUTH');
  });

  test('a timeout without an HTTP answer is TRANSIENT', () => {
    const err = toProviderError(Object.assign(new Error('Request timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
    assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'network:ETIMEDOUT']);
  });

});

