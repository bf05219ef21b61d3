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
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    const { To: to, From: from, MessagingServiceSid: messagingServiceSid, Body: body } = form;
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !messagingServiceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(400, 21602, 'Message body is required.');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const idempotencyKey = headerValue(req, 'x-idempotency-key');
    messages.push({ sid, to, from, messagingServiceSid, body, idempotencyKey });
    return {
      status: 201,
      body: {
        sid,
        account_sid: account.accountSid,
        to,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid ?? null,
        body,
        status: messagingServiceSid ? 'accepted' : 'queued',
        direction: 'outbound-api',
        num_segments: '1',
        error_code: null,
        error_message: null,
        api_version: '2010-04-01',
        uri: `${accountPath}/Messages/${sid}.json`,
      },
    };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}

function headerValue(req: RecordedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
