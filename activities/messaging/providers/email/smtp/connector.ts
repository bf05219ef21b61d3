/**
 * Email over SMTP (Gmail, Outlook, SendGrid, any server) through nodemailer's pooled transport.
 * The caller keeps one client per clinic and provider, so connections are reused across sends.
 */
import nodemailer from 'nodemailer';
import { isNetworkError, ProviderError } from '../../provider-error';
import { type ChannelClient, type EmailMessage, type ProviderConnector, type ProviderEndpoints, type SendReceipt } from '../../types';
import { type SmtpCredentials, smtpDescriptor } from './descriptor';

export { type SmtpCredentials };

/**
 * Message-ID for one message attempt, so a resend of the same attempt is recognisable by the server
 * and in the inbox. Characters that would break the header are percent-encoded ('%' too, keeping
 * the mapping one-to-one).
 */
export function messageIdFor(idempotencyKey: string): string {
  const local = idempotencyKey.replace(/[^A-Za-z0-9!#$&'*+\-/=?^_`{|}~.]/gu, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
  return `<${local}@clinicflow>`;
}

/** Tests and relays set `endpoints.smtp` (smtp://host:port, plain; smtps:// for implicit TLS). */
function connectionFor(c: SmtpCredentials, endpoint: string | undefined) {
  if (!endpoint) {
    // Vendors from a preset all offer STARTTLS: insisting on it keeps the password off the wire in clear.
    return { host: c.host, port: c.port, secure: c.secure, requireTLS: !c.secure && c.preset !== undefined };
  }
  const url = new URL(endpoint);
  const secure = url.protocol === 'smtps:';
  return { host: url.hostname, port: Number(url.port) || (secure ? 465 : 25), secure, ignoreTLS: !secure };
}

/**
 * The account may send as its own address only (anything else fails SPF/DMARC or is refused), so
 * the address comes from the credentials; the message may still name the sender.
 */
function senderOf(c: SmtpCredentials, message: EmailMessage): string | { name: string; address: string } {
  const name = message.from.name ?? c.fromName;
  return name ? { name, address: c.fromAddress } : c.fromAddress;
}

function connect(c: SmtpCredentials, endpoints: ProviderEndpoints): ChannelClient<'email'> {
  const transporter = nodemailer.createTransport({
    pool: true,
    ...connectionFor(c, endpoints.smtp),
    auth: { user: c.username, pass: c.password },
    // Bounded waits: an unreachable server fails the attempt and Temporal's backoff takes over.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    // One quick retry covers a pooled connection the server closed while idle; the rest is Temporal's.
    maxRequeues: 1,
    // Message content never pulls local files or URLs into an email.
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    async send(message: EmailMessage): Promise<SendReceipt> {
      try {
        const info = await transporter.sendMail({
          from: senderOf(c, message),
          to: message.to,
          replyTo: message.replyTo,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: messageIdFor(message.idempotencyKey),
        });
        const queueId = /queued as\s+<?([^\s>]+)/i.exec(info.response ?? '')?.[1];
        return { providerMessageId: queueId ?? info.messageId };
      } catch (err) {
        throw toProviderError(err);
      }
    },
    async verify(): Promise<void> {
      try {
        await transporter.verify();
      } catch (err) {
        throw toProviderError(err);
      }
    },
    close(): Promise<void> {
      transporter.close();
      return Promise.resolve();
    },
  };
}

interface SmtpFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  command?: string;
}

function readFailure(err: unknown): SmtpFailure {
  if (typeof err !== 'object' || err === null) return {};
  const e = err as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    code: str(e.code),
    originalCode: str(e.originalCode),
    responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
    command: str(e.command),
  };
}

const AUTH_REPLIES = new Set([530, 534, 535]);
const RECIPIENT_REPLIES = new Set([501, 550, 551, 553]);

/**
 * SMTP reply codes and nodemailer's error codes to our taxonomy. Messages carry the reply code and
 * the command only: the server's reply text often echoes the recipient address. nodemailer's error
 * is not kept as the cause either: it lists the rejected recipients.
 */
export function toProviderError(err: unknown): ProviderError {
  const f = readFailure(err);
  const reply = f.responseCode;
  if (reply !== undefined) {
    const code = `smtp:${reply}`;
    // The command's verb only ("RCPT TO"), never its argument (the address).
    const verb = /^[A-Za-z]+(?: [A-Za-z]+)?/.exec(f.command ?? '')?.[0];
    const during = verb ? ` to ${verb.toUpperCase()}` : '';
    if (AUTH_REPLIES.has(reply)) return new ProviderError('AUTH', code, `SMTP server refused the credentials (reply ${reply})`);
    if (reply >= 400 && reply < 500) return new ProviderError('TRANSIENT', code, `SMTP server deferred the message (reply ${reply}${during})`);
    const atRecipient = f.code === 'EENVELOPE' || /^RCPT\b/i.test(f.command ?? '');
    if (RECIPIENT_REPLIES.has(reply) && atRecipient) return new ProviderError('INVALID_RECIPIENT', code, `SMTP server rejected the recipient (reply ${reply}${during})`);
    if (reply >= 500) return new ProviderError('REJECTED', code, `SMTP server rejected the message (reply ${reply}${during})`);
  }
  const code = `smtp:${f.originalCode ?? f.code ?? 'unknown'}`;
  if (f.code === 'EAUTH' || f.code === 'ENOAUTH') return new ProviderError('AUTH', code, 'SMTP authentication failed');
  // nodemailer refuses an envelope without a usable recipient before talking to the server.
  if (f.code === 'EENVELOPE') return new ProviderError('INVALID_RECIPIENT', code, 'SMTP envelope has no valid recipient');
  if (f.code === 'ECONFIG') return new ProviderError('REJECTED', code, 'SMTP transport configuration is invalid');
  // Socket failures carry the same codes as every other provider's (network:ECONNREFUSED, network:ETIMEDOUT).
  if (isNetworkError(err) || f.code === 'EDNS' || f.code === 'ETLS') {
    const network = `network:${f.originalCode ?? f.code ?? 'unknown'}`;
    return new ProviderError('TRANSIENT', network, `Could not talk to the SMTP server (${network})`);
  }
  // Anything unrecognised is retried: Temporal's retry policy bounds the cost of being wrong.
  return new ProviderError('TRANSIENT', code, `SMTP delivery failed (${code})`);
}

export const smtpEmailProvider: ProviderConnector<'email', SmtpCredentials> = { ...smtpDescriptor, connect };
