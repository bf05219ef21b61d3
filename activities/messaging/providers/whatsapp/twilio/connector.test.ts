/**
 * What is Twilio's own in the WhatsApp connector (Content SIDs, whatsapp: addresses, its code table), through
 * the real `twilio` SDK against a local Twilio peer. Shared WhatsApp cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { twilioError } from '../../../../../test/fakes/twilio-peer';
import { startTwilioWhatsAppPeer, type TwilioWhatsAppPeer } from '../../../../../test/fakes/twilio-whatsapp-peer';
import { type ProviderError } from '../../provider-error';
import { type ChannelClient, type WhatsAppMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type TwilioWhatsAppCredentials, twilioWhatsApp } from './connector';

const reminderSid = `HX${randomBytes(16).toString('hex')}`;
const creds = twilioWhatsApp.credentials.parse({
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  authToken: `token-${randomBytes(12).toString('hex')}`,
  from: '+15550100',
  contentSids: { 'appointment_reminder:en_US': reminderSid },
});
const template: WhatsAppMessage = {
  from: '',
  to: '+14155550123',
  template: { name: 'appointment_reminder', language: 'en_US', parameters: ['Ada', 'Tuesday 9:00'] },
  idempotencyKey: 'msg-42:1',
};
const text: WhatsAppMessage = { from: '+15550100', to: '+14155550123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.authToken, text.to, text.to.slice(1), text.text ?? '', 'Ada']);

describe('Twilio WhatsApp adapter', () => {
  let peer: TwilioWhatsAppPeer;
  const clients: ChannelClient<'whatsapp'>[] = [];
  const connect = (overrides: Partial<TwilioWhatsAppCredentials> = {}) => {
    const client = twilioWhatsApp.connect({ ...creds, ...overrides }, { twilio: peer.url });
    clients.push(client);
    return client;
  };

  before(async () => {
    peer = await startTwilioWhatsAppPeer({ accountSid: creds.accountSid, authToken: creds.authToken, senders: ['whatsapp:+15550100'], contentSids: [reminderSid] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await peer.stop();
  });

  test('sends a template as its Content SID with numbered variables; the receipt is the message SID', async () => {
    const receipt = await connect().send(template);
    const sent = peer.messages.at(-1);
    assert.deepEqual(sent && { ...sent, sid: undefined }, {
      sid: undefined,
      to: 'whatsapp:+14155550123',
      from: 'whatsapp:+15550100',
      messagingServiceSid: undefined,
      body: undefined,
      contentSid: reminderSid,
      contentVariables: { 1: 'Ada', 2: 'Tuesday 9:00' },
      idempotencyKey: template.idempotencyKey,
    });
    assert.equal(receipt.providerMessageId, sent?.sid);
  });

  test('a template named by its HX SID needs no mapping', async () => {
    await connect({ contentSids: {} }).send({ ...template, template: { name: reminderSid, language: 'en_US', parameters: [] } });
    assert.equal(peer.messages.at(-1)?.contentSid, reminderSid);
  });

  test('free text goes as Body; a Messaging Service SID replaces From', async () => {
    await connect().send(text);
    assert.deepEqual([peer.messages.at(-1)?.body, peer.messages.at(-1)?.from], [text.text, 'whatsapp:+15550100']);
    const service = `MG${'b'.repeat(32)}`;
    await connect({ from: service }).send({ ...text, from: '' });
    assert.deepEqual([peer.messages.at(-1)?.messagingServiceSid, peer.messages.at(-1)?.from], [service, undefined]);
  });

  test('a template without a Content SID is REJECTED before any request', async () => {
    const before = peer.requests.length;
    const unmapped = await providerError(connect().send({ ...template, template: { name: 'unknown', language: 'en_US', parameters: [] } }));
    assert.deepEqual([unmapped.kind, unmapped.code], ['REJECTED', 'twilio:no-content-sid']);
    assert.equal(peer.requests.length, before);
  });

  test('a sender without a WhatsApp channel is REJECTED', async () => {
    const err = await providerError(connect({ from: '+15550199' }).send({ ...text, from: '' }));
    assert.deepEqual([err.kind, err.code], ['REJECTED', 'twilio:63007']);
  });

  const cases = [
    { reply: twilioError(400, 63024, 'Invalid message recipient'), kind: 'INVALID_RECIPIENT', code: 'twilio:63024' },
    { reply: twilioError(400, 63016, 'Failed to send freeform message because you are outside the allowed window'), kind: 'REJECTED', code: 'twilio:63016' },
    { reply: twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'), kind: 'UNSUBSCRIBED', code: 'twilio:21610' },
  ] as const;
  for (const { reply, kind, code } of cases) {
    test(`Twilio answer ${code} is ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(text));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
