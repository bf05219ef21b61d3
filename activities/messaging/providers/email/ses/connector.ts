/**
 * Email through Amazon SES v2 (SendEmail with simple content) via @aws-sdk/client-sesv2.
 * The caller keeps one client per clinic and provider; close() releases its HTTP connections.
 */
import { GetAccountCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { httpFailure, networkFailure, type Vendor } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { type ChannelClient, type EmailMessage, type ProviderConnector, type ProviderEndpoints, type SendReceipt } from '../../types';
import { type SesCredentials, sesDescriptor } from './descriptor';

export { type SesCredentials };

/**
 * SES replaces any Message-ID it is given with its own (docs: "Amazon SES header fields"), so the
 * idempotency key travels in a header of ours, where a resend stays recognisable.
 */
export const IDEMPOTENCY_HEADER = 'X-ClinicFlow-Idempotency-Key';

/** SES takes printable ASCII header values only: anything else (and '%') is percent-encoded. */
const headerValue = (value: string) =>
  value.replace(/[^\x21-\x24\x26-\x7E]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));

/**
 * The account may send as its verified identity only, so the address comes from the credentials;
 * the message may still name the sender. Non-ASCII names need an RFC 2047 encoded word for SES.
 */
function sender(c: SesCredentials, message: EmailMessage): string {
  const name = message.from.name ?? c.fromName;
  if (!name) return c.fromAddress;
  const display = /^[\x20-\x7E]*$/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : `=?UTF-8?B?${Buffer.from(name).toString('base64')}?=`;
  return `${display} <${c.fromAddress}>`;
}

function connect(c: SesCredentials, endpoints: ProviderEndpoints): ChannelClient<'email'> {
  const client = new SESv2Client({
    region: c.region,
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey },
    endpoint: endpoints.ses,
    // Temporal's retry policy owns retries (with backoff, visible in history); the SDK must not add its own.
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
  });
  const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });

  return {
    async send(message: EmailMessage): Promise<SendReceipt> {
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: sender(c, message),
            Destination: { ToAddresses: [message.to] },
            ReplyToAddresses: message.replyTo ? [message.replyTo] : undefined,
            ConfigurationSetName: c.configurationSetName,
            Content: {
              Simple: {
                Subject: utf8(message.subject),
                Body: { Text: utf8(message.text), Html: message.html === undefined ? undefined : utf8(message.html) },
                Headers: [{ Name: IDEMPOTENCY_HEADER, Value: headerValue(message.idempotencyKey) }],
              },
            },
          }),
        );
        // SES always names the message it accepted; without one, the request id still finds it in AWS's logs.
        return { providerMessageId: out.MessageId ?? `ses-request:${out.$metadata.requestId ?? 'unknown'}` };
      } catch (err) {
        throw toProviderError(err);
      }
    },
    async verify(): Promise<void> {
      let account;
      try {
        account = await client.send(new GetAccountCommand({}));
      } catch (err) {
        throw toProviderError(err);
      }
      // Valid keys on an account that may not send are no use to a clinic: say so at set-up time.
      if (account.SendingEnabled === false) throw new ProviderError('AUTH', 'ses:SendingDisabled', 'SES account has sending disabled');
    },
    close(): Promise<void> {
      client.destroy();
      return Promise.resolve();
    },
  };
}

interface SdkFailure {
  name?: string;
  status?: number;
  retryAfter?: string;
  /** The vendor's own text: read to classify, never copied into our message (it may echo addresses). */
  vendorMessage: string;
}

function readFailure(err: unknown): SdkFailure {
  if (typeof err !== 'object' || err === null) return { vendorMessage: '' };
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown }; $response?: { headers?: Record<string, unknown> } };
  const retryAfter = e.$response?.headers?.['retry-after'];
  return {
    name: typeof e.name === 'string' ? e.name : undefined,
    status: typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    vendorMessage: typeof e.message === 'string' ? e.message : '',
  };
}

const KIND_BY_NAME: Record<string, DeliveryErrorKind> = {
  TooManyRequestsException: 'RATE_LIMITED',
  ThrottlingException: 'RATE_LIMITED',
  Throttling: 'RATE_LIMITED',
  // The daily sending quota: a later attempt (after the quota window) can pass.
  LimitExceededException: 'RATE_LIMITED',
  MessageRejected: 'REJECTED',
  MailFromDomainNotVerifiedException: 'REJECTED',
  // A configuration set or identity named in the request does not exist.
  NotFoundException: 'REJECTED',
  AccountSuspendedException: 'AUTH',
  SendingPausedException: 'AUTH',
  NotAuthorizedException: 'AUTH',
  AccessDeniedException: 'AUTH',
  UnrecognizedClientException: 'AUTH',
  InvalidClientTokenId: 'AUTH',
  SignatureDoesNotMatch: 'AUTH',
  InvalidSignatureException: 'AUTH',
  ExpiredTokenException: 'AUTH',
  InternalServiceErrorException: 'TRANSIENT',
};

const SES: Vendor = { prefix: 'ses', label: 'SES' };

/** SES error names to our taxonomy; statuses, Retry-After and network failures are read as for every HTTP vendor. */
export function toProviderError(err: unknown): ProviderError {
  const f = readFailure(err);
  if (f.status === undefined) return networkFailure(SES, err);
  let kind = f.name === undefined ? undefined : KIND_BY_NAME[f.name];
  // The sender is validated with the credentials, so an address SES cannot parse is the recipient's.
  if (f.name === 'BadRequestException' && /address|@domain|mailbox|recipient/i.test(f.vendorMessage)) kind = 'INVALID_RECIPIENT';
  return httpFailure(SES, f.status, f.retryAfter, { code: f.name, kind });
}

export const sesEmailProvider: ProviderConnector<'email', SesCredentials> = { ...sesDescriptor, connect };
