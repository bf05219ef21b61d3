/**
 * What is Meta's own in the WhatsApp connector (Graph request shapes, API version, its code table), through
 * real HTTP calls against a local Graph API peer. Shared WhatsApp cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { graphError, type MetaWhatsAppPeer, startMetaWhatsAppPeer } from '../../../../../test/fakes/meta-whatsapp-peer';
import { type ProviderError } from '../../provider-error';
import { type ChannelClient, type WhatsAppMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type MetaCloudCredentials, metaCloudWhatsApp } from './connector';

const creds = metaCloudWhatsApp.credentials.parse({ phoneNumberId: '106540352242922', accessToken: 'EAAG-local-test-token-0123456789abcdef', appSecret: 'app-secret-for-webhooks' });
const template: WhatsAppMessage = {
  from: '+15550100',
  to: '+14155550123',
  template: { name: 'appointment_reminder', language: 'en_US', parameters: ['Ada', 'Tuesday 9:00'] },
  idempotencyKey: 'msg-42:1',
};
const text: WhatsAppMessage = { from: '+15550100', to: '+14155550123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.accessToken, text.to, text.to.slice(1), text.text ?? '', 'Ada', 'Tuesday 9:00']);

describe('Meta WhatsApp Cloud API adapter', () => {
  let peer: MetaWhatsAppPeer;
  const clients: ChannelClient<'whatsapp'>[] = [];
  const connect = (overrides: Partial<MetaCloudCredentials> = {}) => {
    const client = metaCloudWhatsApp.connect({ ...creds, ...overrides }, { 'meta-whatsapp': peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startMetaWhatsAppPeer({ phoneNumberId: creds.phoneNumberId, accessToken: creds.accessToken, undeliverable: ['+19995550000'] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  });

  test('sends a template: name, language, body parameters, idempotency key; the receipt is the wamid', async () => {
    const receipt = await connect().send(template);
    const request = peer.requests.at(-1);
    assert.equal(request?.path, `/v21.0/${creds.phoneNumberId}/messages`);
    assert.equal(request?.headers.authorization, `Bearer ${creds.accessToken}`);
    assert.deepEqual(request?.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: template.to,
      biz_opaque_callback_data: template.idempotencyKey,
      type: 'template',
      template: {
        name: 'appointment_reminder',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'Tuesday 9:00' }] }],
      },
    });
    assert.match(receipt.providerMessageId, /^wamid\./);
    assert.equal(receipt.providerMessageId, peer.messages.at(-1)?.id);
  });

  test('sends free text as text.body', async () => {
    await connect().send(text);
    const sent = peer.messages.at(-1);
    assert.deepEqual({ type: sent?.type, text: sent?.text, key: sent?.idempotencyKey }, { type: 'text', text: { body: text.text }, key: text.idempotencyKey });
  });

  test('the configured Graph API version is used', async () => {
    await connect({ graphApiVersion: 'v20.0' }).send(text);
    assert.equal(peer.requests.at(-1)?.path, `/v20.0/${creds.phoneNumberId}/messages`);
  });

  test('verify() reads the phone number', async () => {
    await connect().verify();
    assert.equal(peer.requests.at(-1)?.path, `/v21.0/${creds.phoneNumberId}`);
  });

  const cases = [
    { reply: graphError(400, 131030, 'Recipient phone number not in allowed list'), kind: 'INVALID_RECIPIENT', code: 'meta:131030' },
    { reply: graphError(400, 131047, 'Re-engagement message'), kind: 'REJECTED', code: 'meta:131047' },
    { reply: graphError(404, 132001, 'Template name does not exist in the translation'), kind: 'REJECTED', code: 'meta:132001' },
    { reply: graphError(400, 132000, 'Number of parameters does not match'), kind: 'REJECTED', code: 'meta:132000' },
    { reply: graphError(400, 131050, 'User has stopped marketing messages'), kind: 'UNSUBSCRIBED', code: 'meta:131050' },
    { reply: graphError(400, 130429, 'Rate limit hit'), kind: 'RATE_LIMITED', code: 'meta:130429' },
    { reply: graphError(400, 131056, 'Pair rate limit hit'), kind: 'RATE_LIMITED', code: 'meta:131056' },
    { reply: { status: 502, body: '<html>Bad gateway</html>' }, kind: 'TRANSIENT', code: 'http:502' },
  ] as const;
  for (const { reply, kind, code } of cases) {
    test(`Graph answer ${code} is ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(template));
      assert.deepEqual([err.kind, err.code], [kind, code]);
      assert.match(err.message, /fbtrace_id|HTTP 502/);
    });
  }

  test('credentials: the Graph API version defaults to v21.0', () => {
    assert.equal(creds.graphApiVersion, 'v21.0');
  });
});
