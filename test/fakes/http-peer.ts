/**
 * A tiny programmable HTTP server on 127.0.0.1 that vendor fakes build on: it parses and records
 * every request, answers through the vendor's handler, and can be told to fail or hang the next
 * requests. API (keep it small, other fakes import it):
 *   startHttpPeer(handler)        → HttpPeer { url, requests, failNext, hangNext, stop }
 *   basicCredentials(headers)     → { user, password } from an HTTP Basic header, or undefined
 *   closedPortUrl()               → a base URL nothing listens on (connection refused)
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Header names are lower case, as node:http gives them. */
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON bodies parsed; form bodies as a flat object (last value of a repeated key wins); else the raw text. */
  body: unknown;
}

export interface PeerReply {
  status: number;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type PeerHandler = (request: RecordedRequest) => PeerReply | Promise<PeerReply>;

export interface HttpPeer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Every request received, in order, including failed and hung ones. */
  requests: RecordedRequest[];
  /** The next `count` requests get `reply` instead of the handler's answer. */
  failNext(count: number, reply: PeerReply): void;
  /** The next `count` requests get no answer at all (for client timeouts). */
  hangNext(count?: number): void;
  /** Closes the server and every open connection, hung ones included. */
  stop(): Promise<void>;
}

type Programmed = { reply: PeerReply } | 'hang';

export async function startHttpPeer(handler: PeerHandler): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const programmed: Programmed[] = [];

  const server = http.createServer((req, res) => {
    readRequest(req).then(async (recorded) => {
      requests.push(recorded);
      const next = programmed.shift();
      if (next === 'hang') return;
      const reply = next ? next.reply : await handler(recorded);
      send(res, reply);
    }).catch((err: unknown) => send(res, { status: 500, body: { error: String(err) } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, reply) {
      for (let i = 0; i < count; i++) programmed.push({ reply });
    },
    hangNext(count = 1) {
      for (let i = 0; i < count; i++) programmed.push('hang');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readRequest(req: http.IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://peer');
  return { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body: parseBody(req.headers['content-type'], rawBody) };
}

function parseBody(contentType: string | undefined, raw: string): unknown {
  if (!raw) return undefined;
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return raw;
}

function send(res: http.ServerResponse, reply: PeerReply): void {
  const isText = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  const contentType = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(reply.status, { ...(payload ? { 'content-type': contentType } : {}), ...reply.headers });
  res.end(payload);
}

/** The user and password of an HTTP Basic Authorization header. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A base URL on 127.0.0.1 whose port was just released: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
