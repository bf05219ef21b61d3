/**
 * Stands in for Amazon SNS delivering to an HTTPS subscription: a signing key and a self-signed
 * certificate made once with openssl (node 20 cannot build X.509), messages signed the way SNS
 * documents (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html), and a
 * certificate fetcher to inject into the API in place of the internet. The private key never
 * leaves this object.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SNS_CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
export const SES_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:clinicflow-ses-feedback';

export type SnsType = 'SubscriptionConfirmation' | 'Notification' | 'UnsubscribeConfirmation';
export type SnsEnvelope = Record<string, string>;

export interface SnsSigner {
  certificatePem: string;
  /** Certificate URLs the fake AWS was asked for. */
  fetched: string[];
  /** What ApiDeps.fetchSnsCertificate does in production, for this fake's one certificate. */
  fetchCertificate(url: string): Promise<string>;
  /** A signed delivery; `override` changes fields after signing (a tampered message). */
  message(type: SnsType, fields: { Message: string; Subject?: string; SignatureVersion?: '1' | '2'; SigningCertURL?: string }, override?: Record<string, string>): SnsEnvelope;
}

function makeKeyAndCertificate(): { keyPem: string; certificatePem: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sns-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sns.amazonaws.com'], { stdio: 'ignore' });
    return { keyPem: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SNS's canonical form: the signed fields in order, "Name\nvalue\n" each. */
function stringToSign(m: SnsEnvelope): string {
  const names = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return names.filter((n) => m[n] !== undefined).map((n) => `${n}\n${m[n]}\n`).join('');
}

export function createSnsSigner(): SnsSigner {
  const { keyPem, certificatePem } = makeKeyAndCertificate();
  const fetched: string[] = [];
  return {
    certificatePem,
    fetched,
    fetchCertificate(url) {
      fetched.push(url);
      return url === SNS_CERT_URL ? Promise.resolve(certificatePem) : Promise.reject(new Error(`fake AWS has no certificate at ${url}`));
    },
    message(type, fields, override = {}) {
      const m: SnsEnvelope = {
        Type: type,
        MessageId: randomUUID(),
        TopicArn: SES_TOPIC_ARN,
        Message: fields.Message,
        Timestamp: new Date().toISOString(),
        SignatureVersion: fields.SignatureVersion ?? '1',
        SigningCertURL: fields.SigningCertURL ?? SNS_CERT_URL,
        ...(fields.Subject !== undefined ? { Subject: fields.Subject } : {}),
        ...(type === 'Notification'
          ? { UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SES_TOPIC_ARN}:1` }
          : { Token: randomUUID().replaceAll('-', ''), SubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${SES_TOPIC_ARN}&Token=t` }),
      };
      const algorithm = m.SignatureVersion === '1' ? 'sha1' : 'sha256';
      m.Signature = sign(algorithm, Buffer.from(stringToSign(m)), keyPem).toString('base64');
      return { ...m, ...override };
    },
  };
}

/** The Message SES publishes for a bounce, complaint or delivery. */
export function sesNotification(
  kind: { type: 'Bounce'; bounceType: 'Permanent' | 'Transient'; to: string } | { type: 'Complaint'; to: string } | { type: 'Delivery'; to: string },
  sesMessageId: string,
): string {
  const mail = { timestamp: new Date().toISOString(), messageId: sesMessageId, source: 'desk@clinic.test', destination: [kind.to] };
  if (kind.type === 'Bounce') {
    return JSON.stringify({ notificationType: 'Bounce', mail, bounce: { bounceType: kind.bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: kind.to }], timestamp: mail.timestamp } });
  }
  if (kind.type === 'Complaint') return JSON.stringify({ notificationType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: kind.to }], timestamp: mail.timestamp } });
  return JSON.stringify({ notificationType: 'Delivery', mail, delivery: { recipients: [kind.to], timestamp: mail.timestamp } });
}
