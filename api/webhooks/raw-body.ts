/**
 * The exact bytes a request body arrived as. Vendors sign those bytes (Meta's X-Hub-Signature-256,
 * the payload_hash of Vonage and MessageBird JWTs), and a body parsed and re-serialised is not
 * byte-identical, so the parsers keep the original through their `verify` hook.
 *
 * A WeakMap rather than a field on the request: nothing else sees it, and it goes away with the request.
 */
import { type IncomingMessage } from 'node:http';

const rawBodies = new WeakMap<IncomingMessage, Buffer>();

/** For body-parser's `verify` option (express.json, express.urlencoded, express.text). */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  rawBodies.set(req, buf);
}

/** The body as received; empty when there was none or no parser kept it. */
export function rawBodyOf(req: IncomingMessage): Buffer {
  return rawBodies.get(req) ?? Buffer.alloc(0);
}
