/**
 * What is SMTP's own in the email connector (headers, Message-IDs, pooling, reply codes, presets), through
 * nodemailer against a local SMTP peer. The cases every email connector shares are in ../contract.test.ts.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { startSmtpPeer, type SmtpPeer } from '../../../../../test/fakes/smtp-peer';
import { ProviderError } from '../../provider-error';
import { type ChannelClient, type EmailMessage } from '../../types';
import { smtpEmailProvider, toProviderError, type SmtpCredentials } from './connector';

const PASSWORD = 'pool-secret-Xq93';
const RECIPIENT = 'patient.jane@example.test';
const BODY = 'Your session with Dr. Weiss is tomorrow at 10:00.\nReply to reschedule.';

let peer: SmtpPeer;
const open: ChannelClient<'email'>[] = [];

before(async () => {
  peer = await startSmtpPeer({ username: 'clinic-7', password: PASSWORD });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  peer.reset();
});
after(async () => peer.stop());

const credentials = (overrides: Partial<SmtpCredentials> = {}): SmtpCredentials =>
  smtpEmailProvider.credentials.parse({
    host: 'mail.sunrise.test',
    port: 587,
    username: 'clinic-7',
    password: PASSWORD,
    fromAddress: 'front-desk@sunrise.test',
    fromName: 'Sunrise Clinic',
    ...overrides,
  });

function client(overrides: Partial<SmtpCredentials> = {}, endpoint = peer.url): ChannelClient<'email'> {
  const c = smtpEmailProvider.connect(credentials(overrides), { smtp: endpoint });
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
  for (const secret of [PASSWORD, RECIPIENT, 'Dr. Weiss']) assert.ok(!err.message.includes(secret), `message leaks "${secret}": ${err.message}`);
  return err;
}

async function freePortThatRefuses(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('sending', () => {
  test('an email arrives with the sender, recipient, subject, text and a Message-ID from the idempotency key', async () => {
    const receipt = await client().send(message());

    assert.equal(peer.received.length, 1);
    const [mail] = peer.received;
    assert.ok(mail);
    assert.deepEqual(mail.envelope, { from: 'front-desk@sunrise.test', to: [RECIPIENT] });
    assert.deepEqual(mail.from, { name: 'Sunrise Clinic', address: 'front-desk@sunrise.test' });
    assert.deepEqual(mail.to, [{ address: RECIPIENT }]);
    assert.equal(mail.subject, 'Reminder: your appointment');
    assert.equal(mail.text, BODY);
    assert.equal(mail.messageId, '<msg-01J9ZK7Q-attempt-1@clinicflow>');
    assert.equal(receipt.providerMessageId, mail.queueId, 'the server\'s queue id identifies the message');
  });

  test('non-ASCII subject, sender name and text survive the trip', async () => {
    await client({ fromName: 'Praxis Müller & Söhne' }).send(message({ subject: 'Termin für Jörg – morgen', text: 'Grüße aus der Praxis ☀' }));
    const [mail] = peer.received;
    assert.equal(mail?.subject, 'Termin für Jörg – morgen');
    assert.equal(mail?.from?.name, 'Praxis Müller & Söhne');
    assert.equal(mail?.text, 'Grüße aus der Praxis ☀');
  });

  test('the message may name the sender; the address stays the account\'s own', async () => {
    await client().send(message({ from: { address: 'someone-else@elsewhere.test', name: 'Dr. Weiss via Sunrise' } }));
    assert.deepEqual(peer.received[0]?.from, { name: 'Dr. Weiss via Sunrise', address: 'front-desk@sunrise.test' });
  });

  test('a resend of the same attempt carries the same Message-ID, so it is recognisable', async () => {
    const c = client();
    await c.send(message());
    await c.send(message());
    await c.send(message({ idempotencyKey: 'msg-01J9ZK7Q-attempt-2' }));
    assert.equal(peer.countByMessageId('<msg-01J9ZK7Q-attempt-1@clinicflow>'), 2);
    assert.equal(peer.countByMessageId('msg-01J9ZK7Q-attempt-2@clinicflow'), 1);
  });

  test('an idempotency key with header-breaking characters still gives one well-formed Message-ID', async () => {
    await client().send(message({ idempotencyKey: 'message/c1/m2:1 <x>\r\nBcc: evil@x.test' }));
    assert.equal(peer.received[0]?.messageId, '<message/c1/m2%3A1%20%3Cx%3E%0D%0ABcc%3A%20evil%40x.test@clinicflow>');
    assert.equal(peer.received[0]?.headers.has('bcc'), false);
  });

  test('sends share one pooled connection, released when the client closes', async () => {
    const c = client();
    await c.send(message());
    await c.send(message({ idempotencyKey: 'msg-2' }));
    assert.equal(peer.openConnections(), 1);
    await Promise.all(open.splice(0).map((x) => x.close()));
    for (let i = 0; i < 50 && peer.openConnections() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(peer.openConnections(), 0);
  });
});

describe('error mapping', () => {
  test('a refused connection fails verify() too, as TRANSIENT', async () => {
    const endpoint = `smtp://127.0.0.1:${await freePortThatRefuses()}`;
    const err = await rejectsWith(client({}, endpoint).verify(), 'TRANSIENT');
    assert.equal(err.code, 'network:ECONNREFUSED');
  });

  test('451 after DATA is TRANSIENT, and the next attempt on the same pool goes through', async () => {
    peer.failNextMessages(451);
    const c = client();
    const err = await rejectsWith(c.send(message()), 'TRANSIENT');
    assert.equal(err.code, 'smtp:451');
    await c.send(message());
    assert.equal(peer.countByMessageId('<msg-01J9ZK7Q-attempt-1@clinicflow>'), 1);
  });

  test('553 for the recipient is INVALID_RECIPIENT too', async () => {
    peer.rejectRecipient(RECIPIENT, 553);
    await rejectsWith(client().send(message()), 'INVALID_RECIPIENT');
  });

  test('a 5xx reply to the message itself is REJECTED', async () => {
    peer.failNextMessages(554);
    const err = await rejectsWith(client().send(message()), 'REJECTED');
    assert.equal(err.code, 'smtp:554');
  });

  test('timeouts and unknown failures without a reply are TRANSIENT', () => {
    const timeout = toProviderError(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }));
    assert.deepEqual([timeout.kind, timeout.code], ['TRANSIENT', 'network:ETIMEDOUT']);
    assert.equal(toProviderError(new Error('something odd')).kind, 'TRANSIENT');
  });

});

describe('credentials', () => {
  const base = { host: 'mail.sunrise.test', port: 587, username: 'u', password: 'p', fromAddress: 'a@sunrise.test' };
  const paths = (input: unknown) => {
    const result = smtpEmailProvider.credentials.safeParse(input);
    assert.equal(result.success, false);
    return result.error?.issues.map((i) => i.path.join('.')).sort();
  };

  test('host and port are required without a preset', () => {
    const { host: _h, port: _p, ...rest } = base;
    assert.deepEqual(paths(rest), ['host', 'port']);
    assert.deepEqual(paths({ ...rest, preset: 'hotmail' }), ['preset']);
  });

  test('presets fill host, port and TLS mode; explicit values win', () => {
    const { host: _h, port: _p, ...rest } = base;
    const parse = (input: object) => smtpEmailProvider.credentials.parse({ ...rest, ...input });
    assert.deepEqual(pick(parse({ preset: 'gmail' })), { host: 'smtp.gmail.com', port: 465, secure: true });
    assert.deepEqual(pick(parse({ preset: 'outlook' })), { host: 'smtp.office365.com', port: 587, secure: false });
    assert.deepEqual(pick(parse({ preset: 'sendgrid' })), { host: 'smtp.sendgrid.net', port: 587, secure: false });
    assert.deepEqual(pick(parse({ preset: 'mailgun' })), { host: 'smtp.mailgun.org', port: 587, secure: false });
    assert.deepEqual(pick(parse({ preset: 'postmark' })), { host: 'smtp.postmarkapp.com', port: 587, secure: false });
    assert.deepEqual(pick(parse({ preset: 'zeptomail' })), { host: 'smtp.zeptomail.com', port: 587, secure: false });
    assert.deepEqual(pick(parse({ preset: 'gmail', port: 587 })), { host: 'smtp.gmail.com', port: 587, secure: false });
    assert.deepEqual(pick(parse({ host: 'relay.local', port: 465 })), { host: 'relay.local', port: 465, secure: true });
  });

});

const pick = ({ host, port, secure }: SmtpCredentials) => ({ host, port, secure });
