/**
 * What is Vonage's own in the WhatsApp connector (Messages API shapes, client_ref, its code table), through
 * the real `@vonage/server-sdk` against a local Messages API peer. Shared WhatsApp cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startVonageMessagesPeer, type VonageMessagesPeer, vonageProblem } from '../../../../../test/fakes/vonage-messages-peer';
import { type ProviderError } from '../../provider-error';
import { type ChannelClient, type WhatsAppMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type VonageWhatsAppCredentials, vonageWhatsApp } from './connector';

const creds = vonageWhatsApp.credentials.parse({ apiKey: randomBytes(4).toString('hex'), apiSecret: `secret-${randomBytes(8).toString('hex')}`, from: '+447700900100' });
const template: WhatsAppMessage = {
  from: '',
  to: '+447700900123',
  template: { name: 'appointment_reminder', language: 'en_GB', parameters: ['Ada', 'Tuesday 9:00'] },
  idempotencyKey: 'msg-42:1',
};
const text: WhatsAppMessage = { from: '+447700900100', to: '+447700900123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.apiSecret, Buffer.from(`${creds.apiKey}:${creds.apiSecret}`).toString('base64'), text.to.slice(1), text.text ?? '', 'Ada']);

describe('Vonage WhatsApp adapter', () => {
  let peer: VonageMessagesPeer;
  const clients: ChannelClient<'whatsapp'>[] = [];
  const connect = (overrides: Partial<VonageWhatsAppCredentials> = {}) => {
    const client = vonageWhatsApp.connect({ ...creds, ...overrides }, { 'vonage-messages': peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startVonageMessagesPeer({ apiKey: creds.apiKey, apiSecret: creds.apiSecret, senders: ['447700900100'] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  });

  test("sends a template as 'custom' with WhatsApp's template object; client_ref carries the key; the receipt is the message UUID", async () => {
    const receipt = await connect().send(template);
    const request = peer.requests.at(-1);
    assert.equal(request?.headers.authorization, `Basic ${Buffer.from(`${creds.apiKey}:${creds.apiSecret}`).toString('base64')}`);
    assert.deepEqual(request?.body, {
      channel: 'whatsapp',
      to: '447700900123',
      from: '447700900100',
      client_ref: template.idempotencyKey,
      message_type: 'custom',
      custom: {
        type: 'template',
        template: {
          name: 'appointment_reminder',
          language: { policy: 'deterministic', code: 'en_GB' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'Tuesday 9:00' }] }],
        },
      },
    });
    assert.equal(receipt.providerMessageId, peer.messages.at(-1)?.messageUuid);
  });

  test('sends free text as message_type text', async () => {
    await connect().send(text);
    const sent = peer.messages.at(-1);
    assert.deepEqual([sent?.messageType, sent?.text, sent?.clientRef], ['text', text.text, text.idempotencyKey]);
  });

  test('verify() lists the API secrets', async () => {
    await connect().verify();
    assert.equal(peer.requests.at(-1)?.path, `/accounts/${creds.apiKey}/secrets`);
  });

  test('an unknown sender is REJECTED', async () => {
    const sender = await providerError(connect().send({ ...text, from: '+447700900999' }));
    assert.deepEqual([sender.kind, sender.code], ['REJECTED', 'vonage:1120']);
  });

  const cases = [
    { reply: vonageProblem(422, '1050', 'Number barred'), kind: 'INVALID_RECIPIENT', code: 'vonage:1050' },
    { reply: vonageProblem(422, '1022', 'Invalid template'), kind: 'REJECTED', code: 'vonage:1022' },
    { reply: vonageProblem(402, '1070', 'Partner quota exceeded'), kind: 'REJECTED', code: 'vonage:1070' },
  ] as const;
  for (const { reply, kind, code } of cases) {
    test(`Vonage answer ${code} is ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(text));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
