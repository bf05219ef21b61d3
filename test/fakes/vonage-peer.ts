/**
 * A local stand-in for Vonage's SMS and account APIs (rest.nexmo.com) speaking their documented
 * shapes: credentials as HTTP Basic or api_key/api_secret in the body or query; /sms/json answers
 * HTTP 200 with a per-message `status` (non-zero = refused); /account/get-balance answers 401 on
 * bad credentials.
 */
import { randomBytes } from 'node:crypto';
import { basicCredentials, type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface VonageAccount {
  apiKey: string;
  apiSecret: string;
}

export interface VonageSentMessage {
  messageId: string;
  from: string;
  to: string;
  text: string;
  /** Vonage's client reference, where we put the idempotency key. */
  clientRef?: string;
}

export interface VonagePeer extends HttpPeer {
  /** Messages accepted with status "0". */
  messages: VonageSentMessage[];
}

/** A refusal as the SMS API sends it: HTTP 200, the reason in messages[].status and error-text. */
export function vonageRefusal(status: string, errorText: string): PeerReply {
  return { status: 200, body: { 'message-count': '1', messages: [{ status, 'error-text': errorText }] } };
}

export async function startVonagePeer(account: VonageAccount): Promise<VonagePeer> {
  const messages: VonageSentMessage[] = [];

  const handle = (req: RecordedRequest): PeerReply => {
    const params = { ...Object.fromEntries(req.query), ...(typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {}) };
    const authorized = isAuthorized(req, params, account);
    if (req.method === 'POST' && req.path === '/sms/json') return authorized ? sendSms(params) : vonageRefusal('4', 'Bad Credentials');
    if (!authorized) return { status: 401, body: { 'error-code': '401', 'error-code-label': 'authentication failed' } };
    if (req.method === 'GET' && req.path === '/account/get-balance') return { status: 200, body: { value: 10.28, autoReload: false } };
    return { status: 404, body: { type: 'https://developer.vonage.com/api-errors#not-found', title: 'Not Found' } };
  };

  const sendSms = (params: Record<string, unknown>): PeerReply => {
    const text = (key: string) => (typeof params[key] === 'string' ? (params[key] as string) : '');
    const [from, to, body, clientRef] = [text('from'), text('to'), text('text'), text('client-ref')];
    if (!from) return vonageRefusal('2', 'Missing from param');
    if (!to) return vonageRefusal('2', 'Missing to param');
    if (!/^\d{7,15}$/.test(to)) return vonageRefusal('3', 'Invalid to param');
    if (!body) return vonageRefusal('2', 'Missing text param');
    const messageId = randomBytes(8).toString('hex').toUpperCase();
    messages.push({ messageId, from, to, text: body, clientRef: clientRef || undefined });
    const message = { to, 'message-id': messageId, status: '0', 'remaining-balance': '10.25', 'message-price': '0.03330000', network: '20416', ...(clientRef && { 'client-ref': clientRef }) };
    return { status: 200, body: { 'message-count': '1', messages: [message] } };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}

function isAuthorized(req: RecordedRequest, params: Record<string, unknown>, account: VonageAccount): boolean {
  const basic = basicCredentials(req.headers);
  if (basic) return basic.user === account.apiKey && basic.password === account.apiSecret;
  return params.api_key === account.apiKey && params.api_secret === account.apiSecret;
}
