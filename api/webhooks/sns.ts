/**
 * Amazon SNS HTTP(S) deliveries, the way SES reports bounces, complaints and deliveries.
 * Each message is signed by SNS (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
 * a canonical string of the message's fields, signed SHA1withRSA (SignatureVersion 1) or
 * SHA256withRSA (2) with the key of the certificate at SigningCertURL. That URL is part of the
 * message, so it is trusted only on an https://sns.<region>.amazonaws.com host; anyone can host a
 * certificate elsewhere. AWS's Node message validator is not among the installed packages, so this
 * uses node:crypto.
 */
import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { z } from 'zod';

export const snsMessageSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  Timestamp: z.string(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.string(),
  Subject: z.string().nullish(),
  SubscribeURL: z.string().optional(),
  Token: z.string().optional(),
});
export type SnsMessage = z.infer<typeof snsMessageSchema>;

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com$/;

/** An https URL on an SNS regional endpoint, with nothing that could redirect the request elsewhere. */
export function isSnsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && SNS_HOST.test(url.hostname) && url.port === '' && url.username === '' && url.password === '';
}

export const isSnsCertificateUrl = (value: string) => isSnsUrl(value) && new URL(value).pathname.endsWith('.pem');

/** The fields SNS signs, in its documented order, each as "Name\nvalue\n"; Subject only when the message has one. */
export function canonicalString(m: SnsMessage): string {
  const fields: Array<[string, string | null | undefined]> =
    m.Type === 'Notification'
      ? [['Message', m.Message], ['MessageId', m.MessageId], ['Subject', m.Subject], ['Timestamp', m.Timestamp], ['TopicArn', m.TopicArn], ['Type', m.Type]]
      : [['Message', m.Message], ['MessageId', m.MessageId], ['SubscribeURL', m.SubscribeURL], ['Timestamp', m.Timestamp], ['Token', m.Token], ['TopicArn', m.TopicArn], ['Type', m.Type]];
  return fields
    .filter((field): field is [string, string] => typeof field[1] === 'string')
    .map(([name, value]) => `${name}\n${value}\n`)
    .join('');
}

/** Whether the certificate (PEM), currently valid, signed this message. */
export function snsSignatureMatches(m: SnsMessage, certificatePem: string, now = new Date()): boolean {
  try {
    const certificate = new X509Certificate(certificatePem);
    if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) return false;
    const algorithm = m.SignatureVersion === '1' ? 'sha1' : 'sha256';
    return verifySignature(algorithm, Buffer.from(canonicalString(m), 'utf8'), certificate.publicKey, Buffer.from(m.Signature, 'base64'));
  } catch {
    // Not a certificate, or a key that cannot verify this: no proof either way, so not verified.
    return false;
  }
}

/** What SES puts in Message (notifications: notificationType; configuration-set events: eventType). */
const sesNotification = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.object({ messageId: z.string() }),
  bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
  complaint: z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
});

export type SesFeedback =
  | { kind: 'delivery'; messageId: string }
  | { kind: 'hard-bounce'; messageId: string; addresses: string[]; code: string }
  | { kind: 'complaint'; messageId: string; addresses: string[] };

/** The SES report in a notification, or null for anything else (soft bounces included: SES does not give up on those addresses). */
export function parseSesFeedback(message: string): SesFeedback | null {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return null;
  }
  const parsed = sesNotification.safeParse(json);
  if (!parsed.success) return null;
  const { notificationType, eventType, mail, bounce, complaint } = parsed.data;
  const type = notificationType ?? eventType;
  const addresses = (list: Array<{ emailAddress: string }>) => list.map((r) => r.emailAddress.trim().toLowerCase());
  if (type === 'Delivery') return { kind: 'delivery', messageId: mail.messageId };
  if (type === 'Bounce' && bounce?.bounceType === 'Permanent') {
    return { kind: 'hard-bounce', messageId: mail.messageId, addresses: addresses(bounce.bouncedRecipients), code: `ses:Permanent/${bounce.bounceSubType ?? 'General'}` };
  }
  if (type === 'Complaint' && complaint) return { kind: 'complaint', messageId: mail.messageId, addresses: addresses(complaint.complainedRecipients) };
  return null;
}
