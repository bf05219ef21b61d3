/**
 * A local stand-in for Vonage's Messages API v1 and secrets API (api.nexmo.com) in their
 * documented shapes: HTTP Basic with the API key and secret, POST /v1/messages answering 202
 * {message_uuid}, GET /accounts/{apiKey}/secrets, and RFC 7807 errors
 * {type: ".../api-errors/messages#1020", title, detail, instance, invalid_parameters?}.
 */
import { randomUUID } from 'node:crypto';
import { basicCredentials, type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface VonageMessagesAccount {
  apiKey: string;
  apiSecret: string;
  /** WhatsApp Business numbers (digits only) the account may send from. */
  senders: string[];
}

export interface VonageMessagesSent {
  messageUuid: string;
  channel: string;
  messageType: string;
  to: string;
  from: string;
  text?: string;
  custom?: { type: string; template?: { name: string; language: { policy: string; code: string }; components?: { type: string; parameters: { type: string; text: string }[] }[] } };
  /** client_ref: where our idempotency key travels. */
  clientRef?: string;
}

export interface VonageMessagesPeer extends HttpPeer {
  messages: VonageMessagesSent[];
}

/** An RFC 7807 problem as the Messages API sends it. */
export function vonageProblem(status: number, code: string, title: string, extra: { invalidParameters?: { name: string; reason: string }[]; headers?: Record<string, string> } = {}): PeerReply {
  const type = /^\d+$/.test(code) ? `https://developer.vonage.com/api-errors/messages#${code}` : `https://developer.vonage.com/api-errors#${code}`;
  const invalid = extra.invalidParameters ? { invalid_parameters: extra.invalidParameters } : {};
  return { status, headers: extra.headers, body: { type, title, detail: title, instance: randomUUID(), ...invalid } };
}

const MSISDN = /^[1-9]\d{6,14}$/;

export async function startVonageMessagesPeer(account: VonageMessagesAccount): Promise<VonageMessagesPeer> {
  const messages: VonageMessagesSent[] = [];

  const handle = (req: RecordedRequest): PeerReply => {
    const auth = basicCredentials(req.headers);
    if (auth?.user !== account.apiKey || auth.password !== account.apiSecret) {
      return vonageProblem(401, 'unauthorized', 'You did not provide correct credentials.');
    }
    if (req.method === 'GET' && req.path === `/accounts/${account.apiKey}/secrets`) {
      return { status: 200, body: { _embedded: { secrets: [{ id: randomUUID(), created_at: '2026-01-01T00:00:00Z' }] } } };
    }
    if (req.method === 'POST' && req.path === '/v1/messages') return send(req);
    return vonageProblem(404, 'not-found', 'Not found');
  };

  const send = (req: RecordedRequest): PeerReply => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { channel, message_type: messageType, to, from, text, custom, client_ref: clientRef } = body as Record<string, string | undefined> & { custom?: VonageMessagesSent['custom'] };
    if (channel !== 'whatsapp' || !messageType) return vonageProblem(422, '1010', 'Missing params');
    if (!to || !MSISDN.test(to)) return vonageProblem(422, '1020', 'Invalid params', { invalidParameters: [{ name: 'to', reason: 'Invalid number' }] });
    if (!from || !account.senders.includes(from)) return vonageProblem(422, '1120', 'Illegal Sender Address - rejected');
    const valid = (messageType === 'text' && typeof text === 'string') || (messageType === 'custom' && custom?.type === 'template' && custom.template?.name);
    if (!valid) return vonageProblem(422, '1022', 'Invalid template');
    const messageUuid = randomUUID();
    messages.push({ messageUuid, channel, messageType, to, from, text, custom, clientRef });
    return { status: 202, body: { message_uuid: messageUuid } };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}
