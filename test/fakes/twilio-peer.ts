/**
 * A local stand-in for Twilio's REST API (api.twilio.com/2010-04-01) speaking its documented shapes:
 * HTTP Basic auth with AccountSid:AuthToken, form-encoded Messages.json, JSON answers and JSON
 * errors {code, message, more_info, status}.
 */
import { randomBytes } from 'node:crypto';
import { basicCredentials, type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
}

export interface TwilioSentMessage {
  sid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  /** Our own correlation header; the real Twilio ignores it. */
  idempotencyKey?: string;
}

export interface TwilioPeer extends HttpPeer {
  /** Messages accepted with 201. */
  messages: TwilioSentMessage[];
}

/** An error answer as Twilio sends it. */
export function twilioError(status: number, code: number, message: string, headers?: Record<string, string>): PeerReply {
  return { status, headers, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}

const E164 = /^\+[1-9]\d{1,14}$/;

export async function startTwilioPeer(account: TwilioAccount): Promise<TwilioPeer> {
  const messages: TwilioSentMessage[] = [];
  const accountPath = `/2010-04-01/Accounts/${account.accountSid}`;

  const handle = (req: RecordedRequest): PeerReply => {
    const auth = basicCredentials(req.headers);
    if (auth?.user !== account.accountSid || auth.password !== account.authToken || !req.path.startsWith(accountPath)) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (req.method === 'GET' && req.path === `${accountPath}.json`) {
      return { status: 200, body: { sid: account.accountSid, friendly_name: 'Local fake', status: 'active', type: 'Full', uri: `${accountPath}.json` } };
    }
    if (req.method === 'POST' && req.path === `${accountPath}/Messages.json`) return createMessage(req);
    return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
  };

  const createMessage = (req: RecordedRequest): PeerReply => {
    const read = readMessageForm(req);
    if ('refused' in read) return read.refused;
    const { form } = read;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const idempotencyKey = headerValue(req, 'x-idempotency-key');
    messages.push({ sid, to: form.to, from: form.from, messagingServiceSid: form.messagingServiceSid, body: form.body, idempotencyKey });
    return { status: 201, body: messageResource(account, sid, form) };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}

export interface MessageForm {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
}

/** A Messages API create request (form-encoded), or Twilio's answer when it refuses it. */
export function readMessageForm(req: RecordedRequest): { form: MessageForm } | { refused: PeerReply } {
  const { To: to, From: from, MessagingServiceSid: messagingServiceSid, Body: body } = (req.body ?? {}) as Record<string, string | undefined>;
  if (!to) return { refused: twilioError(400, 21604, "A 'To' phone number is required.") };
  if (!E164.test(to)) return { refused: twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`) };
  if (!from && !messagingServiceSid) return { refused: twilioError(400, 21603, "A 'From' phone number is required.") };
  if (!body) return { refused: twilioError(400, 21602, 'Message body is required.') };
  return { form: { to, from, messagingServiceSid, body } };
}

/** A Message resource as Twilio returns it on create (201). */
export function messageResource(account: TwilioAccount, sid: string, form: MessageForm): Record<string, unknown> {
  const accountPath = `/2010-04-01/Accounts/${account.accountSid}`;
  const now = new Date().toUTCString().replace('GMT', '+0000');
  return {
    sid,
    account_sid: account.accountSid,
    to: form.to,
    from: form.from ?? null,
    messaging_service_sid: form.messagingServiceSid ?? null,
    body: form.body,
    status: form.messagingServiceSid ? 'accepted' : 'queued',
    direction: 'outbound-api',
    num_segments: '1',
    num_media: '0',
    price: null,
    price_unit: 'USD',
    error_code: null,
    error_message: null,
    date_created: now,
    date_updated: now,
    date_sent: null,
    api_version: '2010-04-01',
    uri: `${accountPath}/Messages/${sid}.json`,
    subresource_uris: { media: `${accountPath}/Messages/${sid}/Media.json` },
  };
}

function headerValue(req: RecordedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
