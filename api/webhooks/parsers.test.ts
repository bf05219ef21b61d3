import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageBirdSignature, metaSignature, twilioSignature, vonageAuthorization } from '../../test/fakes/vendor-webhooks';
import { parseMessageBird, verifyMessageBird } from './messagebird';
import { metaChallenge, parseMeta, verifyMetaSignature } from './meta';
import { formParams, parseTwilio, verifyTwilio } from './twilio';
import { parseVonage, verifyVonage } from './vonage';

describe('verifiers', () => {
  test('Twilio: any of the clinic\'s tokens, over this exact URL and these parameters', () => {
    const url = 'https://api.test/api/v1/webhooks/twilio/c1';
    const params = { MessageSid: 'SM1', MessageStatus: 'delivered' };
    const signature = twilioSignature('token-b', url, params);
    assert.ok(verifyTwilio(['token-a', 'token-b'], signature, url, params));
    assert.equal(verifyTwilio(['token-a'], signature, url, params), false);
    assert.equal(verifyTwilio(['token-b'], signature, `${url}?x=1`, params), false);
    assert.equal(verifyTwilio(['token-b'], undefined, url, params), false);
  });

  test('Meta: sha256= HMAC of the raw bytes; the handshake wants mode subscribe and a matching token', () => {
    const body = Buffer.from('{"entry":[]}');
    assert.ok(verifyMetaSignature(['s'], body, metaSignature('s', body.toString())));
    assert.ok(verifyMetaSignature(['s'], body, metaSignature('s', body.toString()).toUpperCase().replace('SHA256=', 'sha256=')));
    assert.equal(verifyMetaSignature(['s'], body, metaSignature('s', body.toString()).replace('sha256=', 'sha1=')), false);
    assert.equal(verifyMetaSignature(['t'], body, metaSignature('s', body.toString())), false);
    assert.equal(metaChallenge(['tok'], { mode: 'subscribe', token: 'tok', challenge: '42' }), '42');
    assert.equal(metaChallenge(['tok'], { mode: 'subscribe', token: 'tok2', challenge: '42' }), null);
    assert.equal(metaChallenge([], { mode: 'subscribe', token: '', challenge: '42' }), null);
  });

  test('Vonage: HS256 with the signature secret and the body\'s hash', () => {
    const body = '{"status":"delivered"}';
    assert.ok(verifyVonage(['s'], vonageAuthorization('s', body), Buffer.from(body)));
    assert.equal(verifyVonage(['s'], vonageAuthorization('s', body), Buffer.from(`${body} `)), false);
    assert.equal(verifyVonage(['s'], vonageAuthorization('s', body).replace('Bearer ', ''), Buffer.from(body)), false);
    assert.equal(verifyVonage(['s'], undefined, Buffer.from(body)), false);
  });

  test('MessageBird: issuer, URL hash, body hash and expiry', async () => {
    const url = 'https://api.test/api/v1/webhooks/messagebird/c1?id=1';
    assert.ok(await verifyMessageBird(['k'], messageBirdSignature('k', url), url, Buffer.alloc(0)));
    assert.ok(await verifyMessageBird(['k'], messageBirdSignature('k', url, 'a=1'), url, Buffer.from('a=1')));
    assert.equal(await verifyMessageBird(['k'], messageBirdSignature('k', url), url, Buffer.from('a=1')), false, 'a body the token does not cover');
    assert.equal(await verifyMessageBird(['k'], messageBirdSignature('k', url, undefined, { iss: 'Someone' }), url, Buffer.alloc(0)), false);
    assert.equal(await verifyMessageBird(['k'], messageBirdSignature('k', url, undefined, { exp: undefined }), url, Buffer.alloc(0)), false, 'a token that never expires');
  });
});

describe('parsers', () => {
  test('Twilio statuses and replies', () => {
    assert.deepEqual(parseTwilio({ MessageSid: 'SM1', MessageStatus: 'sent' }), []);
    assert.deepEqual(parseTwilio({ MessageSid: 'SM1', MessageStatus: 'failed' }), [{ kind: 'status', providerMessageId: 'SM1', status: 'FAILED', code: 'twilio:failed' }]);
    assert.deepEqual(parseTwilio({ MessageSid: 'SM2', SmsStatus: 'received', From: 'whatsapp:+447700900123', Body: 'stop' }), [{ kind: 'inbound', channel: 'whatsapp', from: '+447700900123', text: 'stop' }]);
    assert.deepEqual(formParams({ a: '1', b: ['2', '3'] }), { a: '1' });
  });

  test('Meta ignores other fields and other numbers', () => {
    const body = (field: string, number: string) => ({ entry: [{ changes: [{ field, value: { metadata: { phone_number_id: number }, statuses: [{ id: 'w1', status: 'delivered' }] } }] }] });
    assert.deepEqual(parseMeta(body('messages', '1'), new Set(['1'])), [{ kind: 'status', providerMessageId: 'w1', status: 'DELIVERED' }]);
    assert.deepEqual(parseMeta(body('messages', '2'), new Set(['1'])), []);
    assert.deepEqual(parseMeta(body('account_update', '1'), new Set(['1'])), []);
    assert.deepEqual(parseMeta('nonsense', new Set(['1'])), []);
  });

  test('Vonage and MessageBird', () => {
    assert.deepEqual(parseVonage({ message_uuid: 'u1', status: 'submitted' }), []);
    assert.deepEqual(parseVonage({ channel: 'mms', from: '44', text: 'STOP' }), []);
    assert.deepEqual(parseMessageBird({ id: 'm1', status: 'delivery_failed', statusErrorCode: '104' }), [{ kind: 'status', providerMessageId: 'm1', status: 'FAILED', code: 'messagebird:104' }]);
    assert.deepEqual(parseMessageBird({ type: 'message.created', message: { id: 'c1', direction: 'received', platform: 'whatsapp', from: '+447700900123', content: { text: 'STOP' } } }), [
      { kind: 'inbound', channel: 'whatsapp', from: '+447700900123', text: 'STOP' },
    ]);
  });
});
