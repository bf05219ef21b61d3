/**
 * Just enough MIME for the local mail inbox to show a message: its From, To, Subject and readable
 * text. Handles what mail libraries write (nodemailer above all): folded headers, RFC 2047 encoded
 * words, multipart bodies, base64 and quoted-printable, any charset Node's TextDecoder knows.
 * Attachments and HTML are not shown; a message with HTML only is shown as its text, tags removed.
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface ParsedMail {
  /** "Name <address>" or the bare address; '' without a From header. */
  from: string;
  to: string[];
  subject: string;
  text: string;
}

interface Entity {
  headers: Map<string, string>;
  /** Still transfer-encoded, one char per byte (latin1), so any charset can be decoded later. */
  body: string;
}

/** Parses a raw message; `raw` is what the SMTP client sent after DATA. */
export function parseMail(raw: Buffer): ParsedMail {
  const entity = splitEntity(raw.toString('latin1'));
  const subject = entity.headers.get('subject');
  return {
    from: addresses(entity.headers.get('from'))[0] ?? '',
    to: [...addresses(entity.headers.get('to')), ...addresses(entity.headers.get('cc'))],
    subject: subject === undefined ? '' : decodeWords(utf8(subject)),
    text: textOf(entity) ?? '',
  };
}

function splitEntity(entity: string): Entity {
  const end = /\r?\n\r?\n/.exec(entity);
  const head = end ? entity.slice(0, end.index) : entity;
  const headers = new Map<string, string>();
  // Folded lines continue the header above them; the first occurrence of a header wins.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body: end ? entity.slice(end.index + end[0].length) : '' };
}

/** Headers are read as bytes; 8-bit ones (SMTPUTF8) are UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

/** Parsed before encoded words are decoded: a decoded name may hold commas or quotes. */
function addresses(header: string | undefined): string[] {
  if (header === undefined) return [];
  return addressparser(utf8(header), { flatten: true }).map(({ name, address }) => {
    const decoded = decodeWords(name);
    return decoded ? `${decoded} <${address}>` : address;
  });
}

function decodeCharset(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 shows ASCII right and the rest recognisably.
    return bytes.toString('utf8');
  }
}

/** RFC 2047: =?charset?B?…?= and =?charset?Q?…?=; whitespace between two encoded words is not content. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_match, charset: string, kind: string, data: string) => {
      const bytes = kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : quotedPrintableBytes(data.replace(/_/g, ' '));
      return decodeCharset(bytes, charset);
    });
}

function quotedPrintableBytes(text: string): Buffer {
  const unwrapped = text.replace(/=\r?\n/g, ''); // soft line breaks
  const bytes: number[] = [];
  for (let i = 0; i < unwrapped.length; i++) {
    const hex = unwrapped[i] === '=' ? unwrapped.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unwrapped.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** "text/plain; charset=utf-8" → { type: 'text/plain', params: { charset: 'utf-8' } }. */
function contentType(entity: Entity): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = (entity.headers.get('content-type') ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) params.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: type.trim().toLowerCase(), params };
}

function decodedBody(entity: Entity, charset: string | undefined): string {
  const encoding = (entity.headers.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(entity.body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintableBytes(entity.body)
        : Buffer.from(entity.body, 'latin1');
  return decodeCharset(bytes, charset).replace(/\r\n/g, '\n').replace(/\n$/, '');
}

function parts(entity: Entity, boundary: string): Entity[] {
  const delimiter = new RegExp(`\\r?\\n--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
  // The first delimiter may open the body without a line end before it.
  const [, ...chunks] = `\r\n${entity.body}`.split(delimiter);
  const found: Entity[] = [];
  for (const chunk of chunks) {
    if (chunk.startsWith('--')) break; // the closing delimiter
    found.push(splitEntity(chunk.replace(/^[ \t]*\r?\n/, '')));
  }
  return found;
}

/** The readable text: the first text/plain part, else the first HTML part without its tags. */
function textOf(entity: Entity): string | undefined {
  return findPart(entity, 'text/plain') ?? htmlToText(findPart(entity, 'text/html'));
}

function findPart(entity: Entity, wanted: string): string | undefined {
  const { type, params } = contentType(entity);
  const disposition = entity.headers.get('content-disposition') ?? '';
  if (type === wanted && !/^\s*attachment/i.test(disposition)) return decodedBody(entity, params.get('charset'));
  const boundary = params.get('boundary');
  if (!type.startsWith('multipart/') || !boundary) return undefined;
  for (const part of parts(entity, boundary)) {
    const text = findPart(part, wanted);
    if (text !== undefined) return text;
  }
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** A rough reading of HTML, for messages without a text part; the page escapes it again anyway. */
function htmlToText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>|<\/(p|div|tr|h[1-6]|li)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|apos|nbsp|#39);/g, (_m, name: string) => ENTITIES[name] ?? '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
