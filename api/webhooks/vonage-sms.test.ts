import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signedVonageReceipt, vonageSmsSignature } from '../../test/fakes/vonage-sms-signature';
import { parseVonageSms, receiptParams, verifyVonageSms, vonageSmsKeys } from './vonage-sms';

/** Vonage's own test vector (an inbound SMS signed in 2013), as its PHP and Node SDKs' tests use it. */
const VECTOR = {
  params: { 'message-timestamp': '2013-11-21 15:27:30', messageId: '020000001B0FE827', msisdn: '14843472194', text: 'Test again', timestamp: '1385047698', to: '13239877404', type: 'text' },
  secret: 'my_secret_key_for_testing',
  signed: 1385047698 * 1000,
  md5hash: 'd2e7b1dc968737c5998ad624e02f90b7',
  sha256: 'DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330',
};

describe('Vonage SMS API signatures', () => {
  test("Vonage's published signatures verify; the test signer makes the same ones", () => {
    const { params, secret, signed } = VECTOR;
    assert.ok(verifyVonageSms([{ secret, method: 'md5hash' }], { ...params, sig: VECTOR.md5hash }, signed));
    assert.ok(verifyVonageSms([{ secret, method: 'sha256' }], { ...params, sig: VECTOR.sha256 }, signed));
    assert.equal(vonageSmsSignature(secret, 'md5hash', params), VECTOR.md5hash);
    assert.equal(vonageSmsSignature(secret, 'sha256', params).toUpperCase(), VECTOR.sha256);
    // The wrong method, the wrong secret, or one changed parameter: not verified.
    assert.equal(verifyVonageSms([{ secret, method: 'sha256' }], { ...params, sig: VECTOR.md5hash }, signed), false);
    assert.equal(verifyVonageSms([{ secret: `${secret}x`, method: 'md5hash' }], { ...params, sig: VECTOR.md5hash }, signed), false);
    assert.equal(verifyVonageSms([{ secret, method: 'md5hash' }], { ...params, text: 'STOP', sig: VECTOR.md5hash }, signed), false);
    assert.equal(verifyVonageSms([{ secret, method: 'md5hash' }], { ...params, extra: '1', sig: VECTOR.md5hash }, signed), false);
  });

  test('each method checks with its own algorithm only', () => {
    const methods = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
    for (const signedWith of methods) {
      const receipt = signedVonageReceipt('s', signedWith, { messageId: 'm1', status: 'delivered' });
      for (const method of methods) assert.equal(verifyVonageSms([{ secret: 's', method }], receipt), method === signedWith, `${signedWith} checked as ${method}`);
    }
  });

  test('& and = in values are signed as _, as Vonage does', () => {
    const receipt = signedVonageReceipt('s', 'sha1', { messageId: 'm1', status: 'delivered', 'client-ref': 'a=1&b=2' });
    assert.ok(verifyVonageSms([{ secret: 's', method: 'sha1' }], receipt));
    assert.ok(verifyVonageSms([{ secret: 's', method: 'sha1' }], { ...receipt, 'client-ref': 'a_1_b_2' }), 'the two are the same string to sign');
  });

  test('any of the keys; no sig, no timestamp, or a timestamp outside [-5 min, 24 h] is refused', () => {
    // On a whole second, so that the boundaries below are exact.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const at = (secondsAgo: number) => signedVonageReceipt('s', 'sha512', { messageId: 'm1', status: 'delivered' }, { timestamp: Math.floor(now / 1000) - secondsAgo });
    const keys = [{ secret: 'other', method: 'md5hash' as const }, { secret: 's', method: 'sha512' as const }];
    assert.ok(verifyVonageSms(keys, at(0), now));
    assert.ok(verifyVonageSms(keys, at(24 * 3600), now));
    assert.equal(verifyVonageSms(keys, at(24 * 3600 + 1), now), false);
    assert.ok(verifyVonageSms(keys, at(-5 * 60), now));
    assert.equal(verifyVonageSms(keys, at(-5 * 60 - 1), now), false);
    const { sig: _sig, ...unsigned } = at(0);
    assert.equal(verifyVonageSms(keys, unsigned, now), false);
    assert.equal(verifyVonageSms(keys, { ...at(0), sig: '' }, now), false);
    assert.equal(verifyVonageSms(keys, signedVonageReceipt('s', 'sha512', { messageId: 'm1', status: 'delivered' }, { timestamp: null }), now), false);
    assert.equal(verifyVonageSms(keys, signedVonageReceipt('s', 'sha512', { messageId: 'm1', status: 'delivered', timestamp: 'yesterday' }, { timestamp: null }), now), false);
  });

  test('keys come from SMS entries only, md5hash unless the entry says otherwise', () => {
    assert.deepEqual(
      vonageSmsKeys([
        { channel: 'sms', secret: 'a', settings: {} },
        { channel: 'sms', secret: 'b', settings: { signatureMethod: 'sha256' } },
        { channel: 'whatsapp', secret: 'c', settings: {} },
      ]),
      [
        { secret: 'a', method: 'md5hash' },
        { secret: 'b', method: 'sha256' },
      ],
    );
  });

  test('parameters: query and body as one set of strings; anything else cannot be checked', () => {
    assert.deepEqual(receiptParams({ a: '1' }, { b: '2' }), { a: '1', b: '2' });
    assert.deepEqual(receiptParams({ a: '1' }, undefined), { a: '1' });
    assert.equal(receiptParams({ status: ['delivered', 'failed'] }, undefined), null, 'a repeated parameter');
    assert.equal(receiptParams({ status: 'delivered' }, { status: 'failed' }), null, 'in both query and body');
    assert.equal(receiptParams({}, { status: { nested: 'x' } }), null);
    assert.equal(receiptParams({}, { 'err-code': 0 }), null);
    assert.equal(receiptParams({}, [{ status: 'delivered' }]), null);
  });
});

describe('Vonage SMS API receipts', () => {
  test('delivered, and the final failures with their error code; the rest is ignored', () => {
    assert.deepEqual(parseVonageSms({ messageId: 'm1', status: 'delivered', 'err-code': '0' }), [{ kind: 'status', providerMessageId: 'm1', status: 'DELIVERED' }]);
    assert.deepEqual(parseVonageSms({ messageId: 'm1', status: 'rejected', 'err-code': '6' }), [{ kind: 'status', providerMessageId: 'm1', status: 'FAILED', code: 'vonage:6' }]);
    assert.deepEqual(parseVonageSms({ messageId: 'm1', status: 'expired' }), [{ kind: 'status', providerMessageId: 'm1', status: 'FAILED', code: 'vonage:expired' }]);
    for (const status of ['accepted', 'buffered', 'unknown']) assert.deepEqual(parseVonageSms({ messageId: 'm1', status }), []);
    assert.deepEqual(parseVonageSms({ status: 'delivered' }), []);
  });
});
