/**
 * A local stand-in for the Amazon SES v2 REST API, enough for @aws-sdk/client-sesv2: SendEmail
 * (POST /v2/email/outbound-emails) and GetAccount (GET /v2/email/account). It checks the access key
 * id in the SigV4 Authorization header (not the signature itself), answers errors the way AWS does
 * (status, `x-amzn-ErrorType` header, JSON `message`), can be scripted to fail, and records requests.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';

export interface SesRequest {
  method: string;
  path: string;
  /** From `Credential=<id>/<date>/<region>/<service>/aws4_request`; undefined if unsigned. */
  credential?: { accessKeyId: string; region: string; service: string };
  body: unknown;
}

export interface SesSentEmail {
  messageId: string;
  from: string;
  to: string[];
  replyTo: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Simple content headers, name → value. */
  headers: Record<string, string>;
  configurationSetName?: string;
  /** Raw content, decoded, when the client sent RFC 822 text instead of simple content. */
  raw?: string;
}

export interface SesFailure {
  status: number;
  /** The AWS error name, e.g. TooManyRequestsException, MessageRejected, InternalFailure. */
  type: string;
  message?: string;
  headers?: Record<string, string>;
}

export interface SesPeer {
  readonly port: number;
  /** For `endpoints.ses`. */
  readonly url: string;
  readonly requests: SesRequest[];
  /** Accepted SendEmail calls, oldest first. */
  readonly sent: SesSentEmail[];
  /** The next `count` signed requests get this error instead of an answer. */
  failNext(failure: SesFailure, count?: number): void;
  /** What GetAccount reports as SendingEnabled. */
  setSendingEnabled(enabled: boolean): void;
  /** Accepted emails whose header `name` has `value`. */
  countByHeader(name: string, value: string): number;
  reset(): void;
  stop(): Promise<void>;
}

interface PeerOptions {
  accessKeyId: string;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const awsError = (status: number, type: string, message: string, headers: Record<string, string> = {}, extra: object = {}): Reply => ({
  status,
  // Real SES appends the Coral namespace after a colon; the SDK strips it, so the fake does too.
  headers: { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`, ...headers },
  body: { ...extra, message },
});

function parseCredential(authorization: string | undefined): SesRequest['credential'] {
  const match = /^AWS4-HMAC-SHA256 .*Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return match ? { accessKeyId: match[1] ?? '', region: match[2] ?? '', service: match[3] ?? '' } : undefined;
}

export async function startSesPeer({ accessKeyId }: PeerOptions): Promise<SesPeer> {
  const requests: SesRequest[] = [];
  const sent: SesSentEmail[] = [];
  const failures: SesFailure[] = [];
  let sendingEnabled = true;

  function answer(req: SesRequest): Reply {
    if (req.credential?.accessKeyId !== accessKeyId) {
      return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', {}, { __type: 'UnrecognizedClientException' });
    }
    const failure = failures.shift();
    if (failure) return awsError(failure.status, failure.type, failure.message ?? failure.type, failure.headers);
    if (req.method === 'GET' && req.path === '/v2/email/account') {
      return { status: 200, body: { SendingEnabled: sendingEnabled, ProductionAccessEnabled: true, EnforcementStatus: 'HEALTHY', DedicatedIpAutoWarmupEnabled: false, SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: sent.length } } };
    }
    if (req.method === 'POST' && req.path === '/v2/email/outbound-emails') {
      const email = toSentEmail(req.body);
      if (!email) return awsError(400, 'BadRequestException', 'Missing required field: FromEmailAddress, Destination or Content');
      sent.push(email);
      return { status: 200, body: { MessageId: email.messageId } };
    }
    return awsError(404, 'NotFoundException', `No route for ${req.method} ${req.path}`);
  }

  const server = http.createServer((incoming, res) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const req: SesRequest = {
        method: incoming.method ?? 'GET',
        path: new URL(incoming.url ?? '/', 'http://peer').pathname,
        credential: parseCredential(incoming.headers.authorization),
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      requests.push(req);
      const reply = answer(req);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID(), ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    sent,
    failNext: (failure, count = 1) => failures.push(...Array<SesFailure>(count).fill(failure)),
    setSendingEnabled: (enabled) => void (sendingEnabled = enabled),
    countByHeader: (name, value) => sent.filter((m) => Object.entries(m.headers).some(([n, v]) => n.toLowerCase() === name.toLowerCase() && v === value)).length,
    reset() {
      requests.length = 0;
      sent.length = 0;
      failures.length = 0;
      sendingEnabled = true;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // The SDK keeps connections alive; a stopped peer must not wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The SendEmail body as SES reads it, or undefined when a required part is missing. */
function toSentEmail(body: unknown): SesSentEmail | undefined {
  const b = (body ?? {}) as {
    FromEmailAddress?: string;
    Destination?: { ToAddresses?: string[] };
    ReplyToAddresses?: string[];
    ConfigurationSetName?: string;
    Content?: {
      Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } }; Headers?: { Name: string; Value: string }[] };
      Raw?: { Data?: string };
    };
  };
  const to = b.Destination?.ToAddresses ?? [];
  if (!b.FromEmailAddress || to.length === 0 || !(b.Content?.Simple || b.Content?.Raw)) return undefined;
  const simple = b.Content.Simple;
  return {
    messageId: `0100019${randomUUID().replace(/-/g, '')}-000000`,
    from: b.FromEmailAddress,
    to,
    replyTo: b.ReplyToAddresses ?? [],
    subject: simple?.Subject?.Data,
    text: simple?.Body?.Text?.Data,
    html: simple?.Body?.Html?.Data,
    headers: Object.fromEntries((simple?.Headers ?? []).map((h) => [h.Name, h.Value])),
    configurationSetName: b.ConfigurationSetName,
    raw: b.Content.Raw?.Data === undefined ? undefined : Buffer.from(b.Content.Raw.Data, 'base64').toString('utf8'),
  };
}
