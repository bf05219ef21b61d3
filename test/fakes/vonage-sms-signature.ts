/**
 * Signs Vonage SMS API callbacks the way Vonage documents it
 * (https://developer.vonage.com/en/getting-started/concepts/signing-messages), written here with
 * node:crypto on purpose: the API checks with the SDK's verifier, and a test signing with that same
 * SDK could not catch it being wrong.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export type VonageSmsSignatureMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

/** Hex signature over `params` (all but sig): sorted by name, "&name=value", & and = in values as _. */
export function vonageSmsSignature(secret: string, method: VonageSmsSignatureMethod, params: Record<string, string>): string {
  const base = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${params[name]!.replace(/[&=]/g, '_')}`)
    .join('');
  return method === 'md5hash' ? createHash('md5').update(base + secret).digest('hex') : createHmac(method, secret).update(base).digest('hex');
}

/** A receipt as a signing account sends it: the fields plus timestamp (now unless given), nonce and sig. */
export function signedVonageReceipt(
  secret: string,
  method: VonageSmsSignatureMethod,
  fields: Record<string, string>,
  opts: { timestamp?: number | null } = {},
): Record<string, string> {
  const timestamp = opts.timestamp === undefined ? Math.floor(Date.now() / 1000) : opts.timestamp;
  const params = { ...fields, ...(timestamp === null ? {} : { timestamp: String(timestamp) }), nonce: randomUUID() };
  return { ...params, sig: vonageSmsSignature(secret, method, params) };
}
