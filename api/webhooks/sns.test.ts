import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSnsSigner, SNS_CERT_URL } from '../../test/fakes/sns-webhook';
import { canonicalString, isSnsCertificateUrl, isSnsUrl, parseSesFeedback, snsMessageSchema, snsSignatureMatches } from './sns';

describe('SNS certificate and subscription URLs', () => {
  test('only https on an sns.<region>.amazonaws.com host, without port or credentials', () => {
    assert.ok(isSnsCertificateUrl('https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem'));
    assert.ok(isSnsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x'));
    for (const url of [
      'http://sns.eu-west-1.amazonaws.com/a.pem',
      'https://sns.eu-west-1.amazonaws.com.evil.test/a.pem',
      'https://evil.test/sns.eu-west-1.amazonaws.com/a.pem',
      'https://s3.eu-west-1.amazonaws.com/a.pem',
      'https://sns.eu-west-1.amazonaws.com:444/a.pem',
      'https://user:pw@sns.eu-west-1.amazonaws.com/a.pem',
      'not a url',
    ]) {
      assert.equal(isSnsCertificateUrl(url), false, url);
    }
    assert.equal(isSnsCertificateUrl('https://sns.eu-west-1.amazonaws.com/a.txt'), false, 'certificates end in .pem');
  });
});

describe('SNS signatures', () => {
  const signer = createSnsSigner();

  test('the canonical string lists the signed fields in order, Subject only when present', () => {
    const m = snsMessageSchema.parse(signer.message('Notification', { Message: 'hello' }));
    assert.equal(canonicalString(m), `Message\nhello\nMessageId\n${m.MessageId}\nTimestamp\n${m.Timestamp}\nTopicArn\n${m.TopicArn}\nType\nNotification\n`);
    const withSubject = snsMessageSchema.parse(signer.message('Notification', { Message: 'hello', Subject: 'Hi' }));
    assert.match(canonicalString(withSubject), /\nSubject\nHi\nTimestamp\n/);
    const confirmation = snsMessageSchema.parse(signer.message('SubscriptionConfirmation', { Message: 'join' }));
    assert.match(canonicalString(confirmation), /\nSubscribeURL\n.*\nTimestamp\n.*\nToken\n.*\nTopicArn\n/);
  });

  test('version 1 and 2 signatures verify; a changed field, another key or an expired certificate do not', () => {
    for (const version of ['1', '2'] as const) {
      assert.ok(snsSignatureMatches(snsMessageSchema.parse(signer.message('Notification', { Message: 'm', SignatureVersion: version })), signer.certificatePem));
    }
    const m = snsMessageSchema.parse(signer.message('Notification', { Message: 'm' }));
    assert.equal(snsSignatureMatches({ ...m, Message: 'n' }, signer.certificatePem), false);
    assert.equal(snsSignatureMatches(m, createSnsSigner().certificatePem), false);
    assert.equal(snsSignatureMatches(m, signer.certificatePem, new Date(Date.now() + 30 * 24 * 3600 * 1000)), false);
    assert.equal(snsSignatureMatches(m, 'not a certificate'), false);
    assert.equal(SNS_CERT_URL.endsWith('.pem'), true);
  });
});

describe('SES feedback', () => {
  const mail = { messageId: 'ses-1' };
  test('hard bounces, complaints and deliveries are read; soft bounces and other messages are not', () => {
    const bounce = (bounceType: string) => JSON.stringify({ notificationType: 'Bounce', mail, bounce: { bounceType, bouncedRecipients: [{ emailAddress: ' Ada@Example.TEST ' }] } });
    assert.deepEqual(parseSesFeedback(bounce('Permanent')), { kind: 'hard-bounce', messageId: 'ses-1', addresses: ['ada@example.test'], code: 'ses:Permanent/General' });
    assert.equal(parseSesFeedback(bounce('Transient')), null);
    assert.equal(parseSesFeedback(bounce('Undetermined')), null);
    assert.deepEqual(parseSesFeedback(JSON.stringify({ eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: 'b@x.test' }] } })), { kind: 'complaint', messageId: 'ses-1', addresses: ['b@x.test'] });
    assert.deepEqual(parseSesFeedback(JSON.stringify({ notificationType: 'Delivery', mail })), { kind: 'delivery', messageId: 'ses-1' });
    assert.equal(parseSesFeedback('plain text'), null);
    assert.equal(parseSesFeedback(JSON.stringify({ notificationType: 'Bounce' })), null);
  });
});
