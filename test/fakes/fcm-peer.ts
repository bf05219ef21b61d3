/**
 * A local stand-in for Google's OAuth token endpoint and FCM HTTP v1, in their documented shapes:
 * POST /token takes a JWT-bearer assertion signed by the service account (iss = its e-mail) and
 * issues an access token; POST /v1/projects/{project}/messages:send takes that Bearer token and
 * answers {name} or FCM's error bodies ({error:{code,message,status,details:[FcmError]}}).
 * Devices are registration tokens the test declares; any other token is malformed to FCM.
 */
import { randomBytes, verify, type KeyObject } from 'node:crypto';
import { type HttpPeer, type PeerReply, type RecordedRequest, startHttpPeer } from './http-peer';

export interface FcmAccount {
  projectId: string;
  clientEmail: string;
  /** When given, the assertion's RS256 signature is checked against it. */
  publicKey?: KeyObject;
}

export interface FcmDelivered {
  name: string;
  token: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  idempotencyKey?: string;
  /** The Host header the SDK meant to reach (fcm.googleapis.com). */
  host?: string;
}

export interface FcmPeer extends HttpPeer {
  /** Messages accepted for delivery (validate_only ones are not delivered). */
  delivered: FcmDelivered[];
  /** Access tokens issued, with the Host the token request was meant for. */
  tokensIssued: { accessToken: string; host?: string }[];
  /** Registration tokens of devices that exist; add or remove as the test needs. */
  devices: Set<string>;
  /** Devices whose app was uninstalled: FCM answers UNREGISTERED. */
  unregistered: Set<string>;
  /** Like failNext, but only for messages:send (token requests pass). */
  failNextSends(count: number, reply: PeerReply): void;
  /** Like hangNext, but only for messages:send. */
  hangNextSends(count?: number): void;
}

/** An error answer as FCM v1 sends it. */
export function fcmError(httpStatus: number, status: string, errorCode: string | undefined, message: string, headers?: Record<string, string>): PeerReply {
  const details = errorCode ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }] : [];
  return { status: httpStatus, headers, body: { error: { code: httpStatus, message, status, details } } };
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const oauthError = (error: string, description: string): PeerReply => ({ status: 400, body: { error, error_description: description } });

export async function startFcmPeer(account: FcmAccount): Promise<FcmPeer> {
  const delivered: FcmDelivered[] = [];
  const tokensIssued: { accessToken: string; host?: string }[] = [];
  const devices = new Set<string>();
  const unregistered = new Set<string>();
  const programmed: (PeerReply | 'hang')[] = [];
  const sendPath = `/v1/projects/${account.projectId}/messages:send`;

  const issueToken = (req: RecordedRequest): PeerReply => {
    const form = (req.body ?? {}) as Record<string, string | undefined>;
    if (form.grant_type !== JWT_BEARER || !form.assertion) return oauthError('unsupported_grant_type', 'Invalid grant_type.');
    const [header, payload, signature] = form.assertion.split('.');
    if (!header || !payload || !signature) return oauthError('invalid_request', 'Invalid JWT.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; aud?: string; scope?: string };
    const signed = !account.publicKey || verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), account.publicKey, Buffer.from(signature, 'base64url'));
    if (claims.iss !== account.clientEmail || !signed) return oauthError('invalid_grant', 'Invalid JWT Signature.');
    if (claims.aud !== TOKEN_AUDIENCE || !claims.scope?.split(' ').includes(FCM_SCOPE)) return oauthError('invalid_scope', 'Invalid audience or scope.');
    const accessToken = `ya29.fake-${randomBytes(12).toString('hex')}`;
    tokensIssued.push({ accessToken, host: req.headers.host });
    return { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } };
  };

  const sendMessage = (req: RecordedRequest): PeerReply | Promise<PeerReply> => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!tokensIssued.some((t) => t.accessToken === bearer)) {
      return fcmError(401, 'UNAUTHENTICATED', undefined, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const next = programmed.shift();
    if (next === 'hang') return new Promise<PeerReply>(() => undefined);
    if (next) return next;
    const { message, validate_only: validateOnly } = (req.body ?? {}) as { message?: Omit<FcmDelivered, 'name'>; validate_only?: boolean };
    const token = message?.token ?? '';
    if (unregistered.has(token)) return fcmError(404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.');
    if (!devices.has(token)) return fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token');
    const name = `projects/${account.projectId}/messages/${randomBytes(8).toString('hex')}`;
    if (!validateOnly) delivered.push({ name, token, notification: message?.notification, data: message?.data, idempotencyKey: message?.data?.idempotencyKey, host: req.headers.host });
    return { status: 200, body: { name } };
  };

  const peer = await startHttpPeer((req) => {
    if (req.method === 'POST' && req.path === '/token') return issueToken(req);
    if (req.method === 'POST' && req.path === sendPath) return sendMessage(req);
    if (req.path.endsWith('/messages:send')) return fcmError(403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH', 'Permission denied on this project.');
    return fcmError(404, 'NOT_FOUND', undefined, `No route for ${req.method} ${req.path}`);
  });
  return Object.assign(peer, {
    delivered,
    tokensIssued,
    devices,
    unregistered,
    failNextSends(count: number, reply: PeerReply) {
      for (let i = 0; i < count; i++) programmed.push(reply);
    },
    hangNextSends(count = 1) {
      for (let i = 0; i < count; i++) programmed.push('hang' as const);
    },
  });
}
