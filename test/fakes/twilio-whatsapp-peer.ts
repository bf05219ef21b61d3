/**
 * A local stand-in for Twilio's Messages API as WhatsApp uses it: `whatsapp:+E164` addresses,
 * Body for free text or ContentSid + ContentVariables (JSON) for approved templates. Auth, account
 * fetch and error bodies as in twilio-peer.ts (whose SMS checks refuse `whatsapp:` numbers).
 */
import { randomBytes } from 'node:crypto';
import { basicCredentials, type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';
import { type TwilioAccount, twilioError } from './twilio-peer';

export interface TwilioWhatsAppAccount extends TwilioAccount {
  /** WhatsApp senders enabled on the account, e.g. whatsapp:+15550100. */
  senders: string[];
  /** Approved Content API templates the account owns (HX SIDs). */
  contentSids: string[];
}

export interface TwilioWhatsAppSent {
  sid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
  /** Our own correlation header; the real Twilio ignores it. */
  idempotencyKey?: string;
}

export interface TwilioWhatsAppPeer extends HttpPeer {
  messages: TwilioWhatsAppSent[];
}

const WHATSAPP_ADDRESS = /^whatsapp:\+[1-9]\d{1,14}$/;

export async function startTwilioWhatsAppPeer(account: TwilioWhatsAppAccount): Promise<TwilioWhatsAppPeer> {
  const messages: TwilioWhatsAppSent[] = [];
  const accountPath = `/2010-04-01/Accounts/${account.accountSid}`;

  const handle = (req: RecordedRequest): PeerReply => {
    const auth = basicCredentials(req.headers);
    if (auth?.user !== account.accountSid || auth.password !== account.authToken || !req.path.startsWith(accountPath)) {
      return twilioError(401, 20003, 'Authenticate');
    }
    if (req.method === 'GET' && req.path === `${accountPath}.json`) {
      return { status: 200, body: { sid: account.accountSid, friendly_name: 'Local fake', status: 'active', type: 'Full' } };
    }
    if (req.method === 'POST' && req.path === `${accountPath}/Messages.json`) return createMessage(req);
    return twilioError(404, 20404, `The requested resource ${req.path} was not found`);
  };

  const createMessage = (req: RecordedRequest): PeerReply => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    const { To: to, From: from, MessagingServiceSid: messagingServiceSid, Body: body, ContentSid: contentSid } = form;
    if (!to || !WHATSAPP_ADDRESS.test(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to ?? ''}`);
    if (!messagingServiceSid && !(from && account.senders.includes(from))) {
      return twilioError(400, 63007, 'Twilio could not find a Channel with the specified From address');
    }
    if (!body && !contentSid) return twilioError(400, 21619, 'A text message body or media urls must be specified.');
    if (contentSid && !account.contentSids.includes(contentSid)) return twilioError(400, 21655, 'The ContentSid is Invalid');
    let contentVariables: Record<string, string> | undefined;
    try {
      contentVariables = form.ContentVariables ? (JSON.parse(form.ContentVariables) as Record<string, string>) : undefined;
    } catch {
      return twilioError(400, 21656, 'The ContentVariables Parameter is invalid');
    }
    const sid = `MM${randomBytes(16).toString('hex')}`;
    const key = req.headers['x-idempotency-key'];
    messages.push({ sid, to, from, messagingServiceSid, body, contentSid, contentVariables, idempotencyKey: Array.isArray(key) ? key[0] : key });
    return {
      status: 201,
      body: { sid, account_sid: account.accountSid, to, from: from ?? null, messaging_service_sid: messagingServiceSid ?? null, body: body ?? '', status: 'queued', direction: 'outbound-api', error_code: null },
    };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}
