/**
 * A real SMTP server on 127.0.0.1 for adapter tests: one account (AUTH PLAIN/LOGIN, anything else
 * gets 535), scripted replies, and every accepted message recorded with its parsed headers and text.
 */
import { randomBytes } from 'node:crypto';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ParsedAddress {
  name?: string;
  address: string;
}

export interface ReceivedEmail {
  envelope: { from: string; to: string[] };
  /** The RFC 822 text as the client sent it. */
  raw: string;
  /** Header names lowercased, folded lines joined, encoded words decoded; first occurrence wins. */
  headers: Map<string, string>;
  messageId?: string;
  subject?: string;
  from?: ParsedAddress;
  to?: ParsedAddress[];
  /** The text/plain part, transfer encoding undone, line ends as \n. */
  text?: string;
  /** What the peer answered in its 250 reply ("queued as <queueId>"). */
  queueId: string;
  /** When the peer accepted it (Date.now()): benchmarks measure arrival against it. */
  receivedAt: number;
}

export interface SmtpPeer {
  readonly port: number;
  /** For `endpoints.smtp`. */
  readonly url: string;
  /** Accepted messages, oldest first. */
  readonly received: ReceivedEmail[];
  /** The next `count` messages get this reply after DATA instead of 250. */
  failNextMessages(code: number, count?: number): void;
  /** RCPT TO this address gets `code` until reset(). */
  rejectRecipient(address: string, code?: number): void;
  /** Accepted messages with this Message-ID (with or without angle brackets). */
  countByMessageId(messageId: string): number;
  /** Sessions still open: a closed client pool leaves none. */
  openConnections(): number;
  /** Forgets messages and scripted replies. */
  reset(): void;
  stop(): Promise<void>;
}

interface PeerOptions {
  username: string;
  password: string;
  /** A fixed port (a server stopped and started again where its clients expect it); a free one by default. */
  port?: number;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });
const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '');

export async function startSmtpPeer({ username, password, port = 0 }: PeerOptions): Promise<SmtpPeer> {
  const received: ReceivedEmail[] = [];
  const pendingFailures: number[] = [];
  const rejectedRecipients = new Map<string, number>();

  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (and so no self-signed certificate) to get in the way.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    // No reverse DNS for the client: nothing leaves the machine, and sessions start at once.
    disableReverseLookup: true,
    // stop() should not wait 30 s for a client that forgot to close its pool.
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      const ok = auth.username === username && auth.password === password;
      callback(ok ? null : smtpError(535, '5.7.8 Authentication credentials invalid'), ok ? { user: username } : undefined);
    },
    onRcptTo(address, _session, callback) {
      const code = rejectedRecipients.get(address.address.toLowerCase());
      callback(code ? smtpError(code, '5.1.1 Mailbox unavailable') : null);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = pendingFailures.shift();
        if (failure) return callback(smtpError(failure, failure < 500 ? '4.3.0 Try again later' : '5.7.1 Message refused'));
        const raw = Buffer.concat(chunks).toString('utf8');
        const queueId = randomBytes(6).toString('hex').toUpperCase();
        const { mailFrom, rcptTo } = session.envelope;
        received.push({ envelope: { from: mailFrom ? mailFrom.address : '', to: rcptTo.map((r) => r.address) }, raw, queueId, receivedAt: Date.now(), ...parseMessage(raw) });
        callback(null, `OK: queued as ${queueId}`);
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP peer did not bind a TCP port');

  return {
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    failNextMessages: (code, count = 1) => pendingFailures.push(...Array<number>(count).fill(code)),
    rejectRecipient: (addr, code = 550) => void rejectedRecipients.set(addr.toLowerCase(), code),
    countByMessageId: (id) => received.filter((m) => m.messageId !== undefined && bare(m.messageId) === bare(id)).length,
    openConnections: () => server.connections.size,
    reset() {
      received.length = 0;
      pendingFailures.length = 0;
      rejectedRecipients.clear();
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers and the text/plain part of the simple MIME messages nodemailer writes. */
export function parseMessage(raw: string): Pick<ReceivedEmail, 'headers' | 'messageId' | 'subject' | 'from' | 'to' | 'text'> {
  const { headers, body } = splitEntity(raw);
  const from = headers.get('from');
  const to = headers.get('to');
  return {
    headers,
    messageId: headers.get('message-id'),
    subject: headers.get('subject'),
    from: from === undefined ? undefined : parseAddress(from),
    to: to?.split(',').map(parseAddress),
    text: textPart(headers, body),
  };
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const end = /\r?\n\r?\n/.exec(entity);
  const head = end ? entity.slice(0, end.index) : entity;
  const body = end ? entity.slice(end.index + end[0].length) : '';
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeWords(line.slice(colon + 1).trim()));
  }
  return { headers, body };
}

function textPart(headers: Map<string, string>, body: string): string | undefined {
  const type = headers.get('content-type') ?? 'text/plain';
  if (/^text\/plain/i.test(type)) return decodeBody(body, headers.get('content-transfer-encoding'));
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return undefined;
  // Parts sit between "--boundary" lines; the first chunk is the preamble, the closing one ends "--".
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const entity = splitEntity(part.replace(/^\r?\n/, ''));
    const text = textPart(entity.headers, entity.body.replace(/\r?\n$/, ''));
    if (text !== undefined) return text;
  }
  return undefined;
}

function decodeBody(body: string, transferEncoding = '7bit'): string {
  const encoding = transferEncoding.toLowerCase();
  let text = body;
  if (encoding === 'base64') text = Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body.replace(/=\r?\n/g, ''));
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '');
}

function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words (=?UTF-8?B?…?= / =?UTF-8?Q?…?=), which nodemailer uses for non-ASCII headers. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2') // whitespace between adjacent encoded words is not content
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

function parseAddress(value: string): ParsedAddress {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(value);
  if (!match) return { address: value.trim() };
  const name = (match[1] ?? '').replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1');
  return name ? { name, address: match[2] ?? '' } : { address: match[2] ?? '' };
}
