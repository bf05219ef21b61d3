/**
 * A local stand-in for MessageBird's REST API (rest.messagebird.com) speaking its documented shapes:
 * `Authorization: AccessKey <key>`, JSON bodies, 201 message objects and errors as
 * {"errors":[{"code","description","parameter"}]}.
 */
import { randomBytes } from 'node:crypto';
import { type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface MessageBirdSentMessage {
  id: string;
  originator: string;
  recipients: string[];
  body: string;
  /** MessageBird's client reference, where we put the idempotency key. */
  reference?: string;
}

export interface MessageBirdPeer extends HttpPeer {
  /** Messages accepted with 201. */
  messages: MessageBirdSentMessage[];
}

/** An error answer as MessageBird sends it. */
export function messageBirdError(status: number, code: number, description: string, parameter: string | null = null, headers?: Record<string, string>): PeerReply {
  return { status, headers, body: { errors: [{ code, description, parameter }] } };
}

export async function startMessageBirdPeer(accessKey: string): Promise<MessageBirdPeer> {
  const messages: MessageBirdSentMessage[] = [];

  const handle = (req: RecordedRequest): PeerReply => {
    if (req.headers.authorization !== `AccessKey ${accessKey}`) {
      return messageBirdError(401, 2, 'Request not allowed (incorrect access_key)', 'access_key');
    }
    if (req.method === 'GET' && req.path === '/balance') return { status: 200, body: { payment: 'prepaid', type: 'credits', amount: 42.5 } };
    if (req.method === 'POST' && req.path === '/messages') return createMessage(req);
    return messageBirdError(404, 20, 'message not found');
  };

  const createMessage = (req: RecordedRequest): PeerReply => {
    const params = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const { originator, body, reference } = params;
    // The API takes an array or a comma-separated string.
    const recipients = (Array.isArray(params.recipients) ? params.recipients : String(params.recipients ?? '').split(',')).map(String).filter(Boolean);
    if (typeof originator !== 'string' || !originator) return messageBirdError(422, 9, 'originator is required', 'originator');
    if (typeof body !== 'string' || !body) return messageBirdError(422, 9, 'body is required', 'body');
    if (recipients.length === 0 || recipients.some((r) => !/^\d{3,16}$/.test(r))) return messageBirdError(422, 9, 'no (correct) recipients found', 'recipients');
    const id = randomBytes(16).toString('hex');
    const now = new Date().toISOString();
    messages.push({ id, originator, recipients, body, reference: typeof reference === 'string' ? reference : undefined });
    return {
      status: 201,
      body: {
        id,
        href: `https://rest.messagebird.com/messages/${id}`,
        direction: 'mt',
        type: 'sms',
        originator,
        body,
        reference: reference ?? null,
        validity: null,
        gateway: 10,
        typeDetails: {},
        datacoding: 'plain',
        mclass: 1,
        scheduledDatetime: null,
        createdDatetime: now,
        recipients: {
          totalCount: recipients.length,
          totalSentCount: recipients.length,
          totalDeliveredCount: 0,
          totalDeliveryFailedCount: 0,
          items: recipients.map((r) => ({ recipient: Number(r), status: 'sent', statusDatetime: now })),
        },
      },
    };
  };

  const peer = await startHttpPeer(handle);
  return Object.assign(peer, { messages });
}
