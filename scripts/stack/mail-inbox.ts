/**
 * A local mail inbox for `npm start`: an SMTP server on 127.0.0.1 that accepts every message (with
 * any credentials, or none) and delivers it nowhere, plus a read-only web page and JSON API that
 * show what arrived. The demo clinic's email points here, so a newcomer sees confirmations and
 * reminders arrive without an email account. Messages stay in memory only, the newest few hundred.
 *
 *   GET /                   the messages, newest first
 *   GET /messages/:id       one message's text
 *   GET /api/messages       [{ id, from, to, subject, text, receivedAt }], newest first
 *   GET /api/messages/:id   one of them
 */
import http from 'node:http';
import { type AddressInfo, type Server } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { listPage, messagePage, notFoundPage } from './mail-inbox-page';
import { parseMail } from './mail-inbox-message';

export interface InboxMessage {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** ISO 8601, UTC. */
  receivedAt: string;
}

export interface MailInboxOptions {
  smtpPort: number;
  webPort: number;
  /** How many messages are kept; the oldest go first. */
  maxMessages?: number;
}

export interface MailInbox {
  /** smtp://127.0.0.1:<port>, plain SMTP. */
  smtpUrl: string;
  smtpPort: number;
  /** http://localhost:<port>, for people. */
  webUrl: string;
  webPort: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
export const DEFAULT_MAX_MESSAGES = 500;
/** Larger messages are refused (552): a runaway sender must not fill the launcher's memory. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Text beyond this is cut on display: 500 messages of it are still a modest amount of memory. */
const MAX_TEXT_CHARS = 200_000;

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startMailInbox(opts: MailInboxOptions): Promise<MailInbox> {
  const cap = opts.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const messages: InboxMessage[] = []; // newest first
  let lastId = 0;

  const receive = (raw: Buffer, session: SMTPServerSession): InboxMessage => {
    const parsed = parseMail(raw);
    const { mailFrom, rcptTo } = session.envelope;
    const text = parsed.text.length > MAX_TEXT_CHARS ? `${parsed.text.slice(0, MAX_TEXT_CHARS)}\n[… cut by the local inbox]` : parsed.text;
    const message: InboxMessage = {
      id: String(++lastId),
      // Without headers, the envelope still says who sent it to whom.
      from: parsed.from || (mailFrom ? mailFrom.address : ''),
      to: parsed.to.length ? parsed.to : rcptTo.map((r) => r.address),
      subject: parsed.subject,
      text,
      receivedAt: new Date().toISOString(),
    };
    messages.unshift(message);
    messages.length = Math.min(messages.length, cap);
    return message;
  };

  const smtp = new SMTPServer({
    banner: 'ClinicFlow local mail inbox: messages are kept here and delivered nowhere',
    // Loopback only, and no certificate to make: plain SMTP, AUTH accepted in clear.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    disableReverseLookup: true,
    // A client's idle pooled connection must not hold up Ctrl-C.
    closeTimeout: 1000,
    // Whatever credentials a clinic's configuration holds, the local inbox takes its mail.
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(smtpError(552, `5.3.4 Message larger than ${MAX_MESSAGE_BYTES} bytes`));
        const message = receive(Buffer.concat(chunks), session);
        // "queued as": the SMTP adapter reads it as the provider's message id, so sends can be matched here.
        callback(null, `OK: queued as ${message.id}`);
      });
    },
  });
  // Connection-level errors (a client hanging up mid-message) concern that client only.
  smtp.on('error', () => undefined);

  const web = http.createServer((req, res) => {
    try {
      serve(req, res, messages, cap);
    } catch {
      // A request the URL parser rejects: an exception here would end the launcher.
      if (!res.headersSent) send(res, 400, 'json', JSON.stringify({ error: 'Bad request' }));
    }
  });

  await listen(smtp.server, opts.smtpPort);
  try {
    await listen(web, opts.webPort);
  } catch (err) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw err;
  }
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webPort = (web.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://${HOST}:${smtpPort}`,
    smtpPort,
    webUrl: `http://localhost:${webPort}`,
    webPort,
    async stop() {
      const webClosed = new Promise<void>((resolve) => web.close(() => resolve()));
      // Browsers keep connections alive; they would hold close() open indefinitely.
      web.closeAllConnections();
      await Promise.all([webClosed, new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Only requests addressed to this machine by name are served: the inbox holds patients' messages,
 * and a web page elsewhere could otherwise read it through DNS rebinding.
 */
function isLocalHost(hostHeader: string | undefined): boolean {
  const host = hostHeader?.replace(/:\d+$/, '').toLowerCase();
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

const SECURITY_HEADERS = {
  // Message content is escaped on the pages; this also stops any script that slipped through.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function send(res: http.ServerResponse, status: number, type: 'html' | 'json', body: string, extra: Record<string, string> = {}): void {
  const contentType = type === 'html' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, ...extra });
  res.end(body);
}

function serve(req: http.IncomingMessage, res: http.ServerResponse, messages: readonly InboxMessage[], cap: number): void {
  if (!isLocalHost(req.headers.host)) return send(res, 421, 'json', JSON.stringify({ error: 'The inbox answers to localhost only' }));
  // Read-only: HEAD is answered like GET (Node drops the body), anything else is refused.
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'json', JSON.stringify({ error: 'Read-only' }), { allow: 'GET, HEAD' });

  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  // Ids are plain numbers: a path segment that is anything else names no message.
  const byId = (id: string | undefined) => messages.find((m) => m.id === id);
  const api = /^\/api\/messages(?:\/([^/]+))?\/?$/.exec(pathname);
  if (api) {
    if (api[1] === undefined) return send(res, 200, 'json', JSON.stringify(messages));
    const message = byId(api[1]);
    return message ? send(res, 200, 'json', JSON.stringify(message)) : send(res, 404, 'json', JSON.stringify({ error: 'No such message' }));
  }
  if (pathname === '/') return send(res, 200, 'html', listPage(messages, cap));
  const message = byId(/^\/messages\/([^/]+)$/.exec(pathname)?.[1]);
  return message ? send(res, 200, 'html', messagePage(message)) : send(res, 404, 'html', notFoundPage());
}
