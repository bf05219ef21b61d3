/**
 * A local stand-in for MessageBird's Conversations API (conversations.messagebird.com) in its
 * documented shapes: `Authorization: AccessKey <key>`, POST /v1/send answering 202
 * {id, status:"accepted"}, GET /v1/conversations listing, errors as
 * {"errors":[{"code","description","parameter"}]}.
 */
import { randomBytes } from 'node:crypto';
import { type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';
import { messageBirdError } from './messagebird-peer';

export interface ConversationsAccount {
  accessKey: string;
  /** Channels (ids) that exist on the account. */
  channelIds: string[];
}

export interface ConversationsSent {
  id: string;
  to: string;
  from: string;
  type: 'text' | 'hsm';
  content: {
    text?: string;
    hsm?: { namespace: string; templateName: string; language: { policy: string; code: string }; components?: { type: string; parameters: { type: string; text: string }[] }[] };
  };
  /** Carried in X-Idempotency-Key; the real MessageBird ignores it. */
  idempotencyKey?: string;
}

export interface MessageBirdConversationsPeer extends HttpPeer {
  messages: ConversationsSent[];
}

export { messageBirdError };

const MSISDN = /^\+?[1-9]\d{6,14}$/;

export async function startMessageBirdConversationsPeer(account: ConversationsAccount): Promise<MessageBirdConversationsPeer> {
  const messages: ConversationsSent[] = [];

  const handle = (req: RecordedRequest): PeerReply => {
    if (req.headers.authorization !== `AccessKey ${account.accessKey}`) {
      return messageBirdError(401, 2, 'Request not allowed (incorrect access_key)');
    }
    if (req.method === 'GET' && req.path === '/v1/conversations') {
      return { status: 200, body: { offset: 0, limit: Number(req.query.get('limit') ?? 20), count: 0, totalCount: 0, items: [] } };
    }
    if (req.method === 'POST' && req.path === '/v1/send') return send(req);
    return messageBirdError(404, 20, 'Resource not found');
  };

  const send = (req: RecordedRequest): PeerReply => {
    const body = (req.body ?? {}) as Partial<ConversationsSent>;
    if (!body.to || !MSISDN.test(body.to)) return messageBirdError(400, 21, 'Invalid recipient', 'to');
    if (!body.from || !account.channelIds.includes(body.from)) return messageBirdError(404, 20, 'Channel not found', 'from');
    const validText = body.type === 'text' && typeof body.content?.text === 'string';
    const hsm = body.content?.hsm;
    const validHsm = body.type === 'hsm' && hsm?.namespace && hsm.templateName && hsm.language?.code;
    if (!validText && !validHsm) return messageBirdError(422, 10, 'Invalid content for type', 'content');
    const id = randomBytes(16).toString('hex');
    const key = req.headers['x-idempotency-key'];
    messages.push({ id, to: body.to, from: body.from, type: body.type as 'text' | 'hsm', content: body.content ?? {}, idempotencyKey: Array.isArray(key) ? key[0] : key });
    return { status: 202, body: { id, status: 'accepted', fallback: null } };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}
