/**
 * What is MessageBird's own in the WhatsApp connector (HSM shape, namespace, channel id, its code table),
 * through real HTTP calls against a local Conversations API peer. Shared WhatsApp cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { messageBirdError, type MessageBirdConversationsPeer, startMessageBirdConversationsPeer } from '../../../../../test/fakes/messagebird-conversations-peer';
import { type ProviderError } from '../../provider-error';
import { type ChannelClient, type WhatsAppMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type MessageBirdWhatsAppCredentials, messageBirdWhatsApp } from './connector';

const creds = messageBirdWhatsApp.credentials.parse({
  accessKey: `live_${randomBytes(12).toString('hex')}`,
  channelId: randomBytes(16).toString('hex'),
  templateNamespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
});
const template: WhatsAppMessage = {
  from: '+15550100',
  to: '+31612345678',
  template: { name: 'appointment_reminder', language: 'nl', parameters: ['Ada', 'dinsdag 9:00'] },
  idempotencyKey: 'msg-42:1',
};
const text: WhatsAppMessage = { from: '+15550100', to: '+31612345678', text: 'Uw uitslagen zijn klaar', idempotencyKey: 'msg-43:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.accessKey, text.to, text.to.slice(1), text.text ?? '', 'Ada']);

describe('MessageBird WhatsApp adapter', () => {
  let peer: MessageBirdConversationsPeer;
  const clients: ChannelClient<'whatsapp'>[] = [];
  const connect = (overrides: Partial<MessageBirdWhatsAppCredentials> = {}) => {
    const client = messageBirdWhatsApp.connect({ ...creds, ...overrides }, { 'messagebird-conversations': peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startMessageBirdConversationsPeer({ accessKey: creds.accessKey, channelIds: [creds.channelId] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  });

  test('sends a template as an HSM: namespace, name, language, body parameters; the receipt is the message id', async () => {
    const receipt = await connect().send(template);
    const request = peer.requests.at(-1);
    assert.equal(request?.headers.authorization, `AccessKey ${creds.accessKey}`);
    assert.deepEqual(request?.body, {
      to: template.to,
      from: creds.channelId,
      type: 'hsm',
      content: {
        hsm: {
          namespace: creds.templateNamespace,
          templateName: 'appointment_reminder',
          language: { policy: 'deterministic', code: 'nl' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'dinsdag 9:00' }] }],
        },
      },
    });
    assert.equal(peer.messages.at(-1)?.idempotencyKey, template.idempotencyKey);
    assert.equal(receipt.providerMessageId, peer.messages.at(-1)?.id);
  });

  test('sends free text as type text', async () => {
    await connect().send(text);
    assert.deepEqual([peer.messages.at(-1)?.type, peer.messages.at(-1)?.content], ['text', { text: text.text }]);
  });

  test('a template without a namespace is REJECTED before any request', async () => {
    const before = peer.requests.length;
    const noNamespace = await providerError(connect({ templateNamespace: undefined }).send(template));
    assert.deepEqual([noNamespace.kind, noNamespace.code], ['REJECTED', 'messagebird:no-template-namespace']);
    assert.equal(peer.requests.length, before);
  });

  test('verify() lists conversations', async () => {
    await connect().verify();
    assert.equal(peer.requests.at(-1)?.path, '/v1/conversations');
  });

  test('an unknown channel is REJECTED', async () => {
    const channel = await providerError(connect({ channelId: 'f'.repeat(32) }).send(text));
    assert.deepEqual([channel.kind, channel.code], ['REJECTED', 'messagebird:20']);
  });

  const cases = [
    { reply: messageBirdError(422, 10, 'Invalid parameter', 'to'), kind: 'INVALID_RECIPIENT', code: 'messagebird:10' },
    { reply: messageBirdError(402, 25, 'Not enough balance'), kind: 'REJECTED', code: 'messagebird:25' },
  ] as const;
  for (const { reply, kind, code } of cases) {
    test(`MessageBird answer ${code} is ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(text));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
