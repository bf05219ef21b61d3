/**
 * What is MessageBird's own in the SMS connector (request shape, sender fallback, its code table), against
 * a local MessageBird peer (see connector.ts for why not its SDK). Shared SMS cases: ../contract.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { messageBirdError, type MessageBirdPeer, startMessageBirdPeer } from '../../../../../test/fakes/messagebird-peer';
import { type ProviderError } from '../../provider-error';
import { type SmsMessage } from '../../types';
import { rejectsWithProviderError } from '../../../../../test/support/provider-errors';
import { type MessageBirdCredentials, messageBirdSms } from './connector';

const creds: MessageBirdCredentials = { accessKey: `live_${randomBytes(12).toString('hex')}`, originator: 'ClinicFlow' };
const message: SmsMessage = { from: 'Dr Smith', to: '+31612345678', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };

/** The ProviderError a promise rejects with, revealing no secret, recipient or text. */
const providerError = (promise: Promise<unknown>): Promise<ProviderError> => rejectsWithProviderError(promise, [creds.accessKey, message.to.slice(1), message.text]);

describe('MessageBird SMS adapter', () => {
  let peer: MessageBirdPeer;
  const connect = (overrides: Partial<MessageBirdCredentials> = {}) => messageBirdSms.connect({ ...creds, ...overrides }, { messagebird: peer.url });

  before(async () => {
    peer = await startMessageBirdPeer(creds.accessKey);
  });
  after(async () => {
    await peer.stop();
  });

  test('sends originator, recipient, body and the idempotency key as reference; the receipt has the message id', async () => {
    const receipt = await connect().send(message);
    const sent = peer.messages.at(-1);
    assert.ok(sent);
    assert.deepEqual(
      { originator: sent.originator, recipients: sent.recipients, body: sent.body, reference: sent.reference },
      { originator: message.from, recipients: ['31612345678'], body: message.text, reference: message.idempotencyKey },
    );
    assert.equal(receipt.providerMessageId, sent.id);
  });

  test("the credential's originator is used when the message names no sender", async () => {
    await connect().send({ ...message, from: '' });
    assert.equal(peer.messages.at(-1)?.originator, creds.originator);
  });

  test('verify() reads the balance', async () => {
    await connect().verify();
    assert.deepEqual([peer.requests.at(-1)?.method, peer.requests.at(-1)?.path], ['GET', '/balance']);
  });

  const cases: [string, ReturnType<typeof messageBirdError>, string, string][] = [
    ['bad request about recipients', messageBirdError(422, 21, 'Bad request', 'recipients'), 'INVALID_RECIPIENT', 'messagebird:21'],
    ['missing parameter other than recipients', messageBirdError(422, 9, 'originator is required', 'originator'), 'REJECTED', 'messagebird:9'],
    ['not enough balance', messageBirdError(422, 25, 'Not enough balance'), 'REJECTED', 'messagebird:25'],
  ];
  for (const [name, reply, kind, code] of cases) {
    test(`${name} → ${kind}`, async () => {
      peer.failNext(1, reply);
      const err = await providerError(connect().send(message));
      assert.deepEqual([err.kind, err.code], [kind, code]);
    });
  }
});
