/**
 * Delivery receipts of Vonage's SMS API (rest.nexmo.com/sms/json, what the Vonage SMS adapter sends
 * through): parameters in the query string (GET) or a form or JSON body (POST), as the account's
 * settings say (https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts). These are
 * not Messages API webhooks, which carry a JWT instead (./vonage.ts).
 *
 * Signed receipts (https://developer.vonage.com/en/getting-started/concepts/signing-messages) add
 * `sig`, `timestamp` and `nonce`: `sig` covers every other parameter, sorted by name and joined as
 * "&name=value" with & and = in values turned into _, hashed as MD5 of that string plus the secret
 * ("md5hash") or as a hex HMAC keyed by the secret. Checked with the SDK's own SMS.verifySignature,
 * whose canonical form reproduces Vonage's published test vectors (api/webhooks/vonage-sms.test.ts).
 */
import { Vonage } from '@vonage/server-sdk';
import { z } from 'zod';
import { type VonageSignatureMethod, vonageSignatureMethod } from '../../activities/messaging/providers/sms/vonage/descriptor';
import { type WebhookEvent } from './apply';
import { type SigningSecret } from './secrets';

type Algorithm = Parameters<Vonage['sms']['verifySignature']>[3];

/** The SDK's names (its AlgorithmTypes enum, which @vonage/server-sdk does not re-export) for each method. */
const ALGORITHMS: Record<VonageSignatureMethod, Algorithm> = {
  md5hash: 'MD5HASH' as Algorithm,
  md5: 'MD5HMAC' as Algorithm,
  sha1: 'SHA1HMAC' as Algorithm,
  sha256: 'SHA256HMAC' as Algorithm,
  sha512: 'SHA512HMAC' as Algorithm,
};

/** verifySignature uses neither the client's credentials nor the network: these only make a client to call it on. */
const sdk = new Vonage({ apiKey: 'unused', apiSecret: 'unused' }).sms;

/**
 * A receipt's timestamp may be this old: Vonage retries a callback it could not deliver for up to
 * 24 hours, and a captured receipt should not replay after that. A little clock skew is tolerated.
 * Within the window a replay changes nothing: statuses only move forward (./apply.ts).
 */
const MAX_AGE_SECONDS = 24 * 60 * 60;
const MAX_SKEW_SECONDS = 5 * 60;

export interface VonageSmsKey {
  secret: string;
  method: VonageSignatureMethod;
}

/**
 * The keys of the clinic's Vonage SMS entries. WhatsApp entries are left out: the SMS API does not
 * send for them, and their settings hold no signature method.
 */
export function vonageSmsKeys(entries: SigningSecret[]): VonageSmsKey[] {
  return entries
    .filter((e) => e.channel === 'sms')
    .map((e) => ({ secret: e.secret, method: vonageSignatureMethod.safeParse(e.settings.signatureMethod).data ?? 'md5hash' }));
}

export type ReceiptParams = Record<string, string>;

/**
 * Query string and body as one set of parameters, which is what Vonage signs and what is then read.
 * Null when a name comes twice (repeated, or in both query and body) or a value is not a plain
 * string (nested or non-text): the scheme signs one string per name, so such a receipt cannot be
 * checked and is refused rather than guessed at.
 */
export function receiptParams(query: unknown, body: unknown): ReceiptParams | null {
  const bodyObject = body ?? {};
  if (typeof query !== 'object' || query === null || typeof bodyObject !== 'object' || Array.isArray(bodyObject)) return null;
  const entries = [...Object.entries(query), ...Object.entries(bodyObject)];
  const params = Object.fromEntries(entries);
  const plain = entries.every(([, value]) => typeof value === 'string');
  return plain && Object.keys(params).length === entries.length ? (params as ReceiptParams) : null;
}

function isFresh(timestamp: string | undefined, nowMs: number): boolean {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const ageSeconds = nowMs / 1000 - Number(timestamp);
  return ageSeconds <= MAX_AGE_SECONDS && ageSeconds >= -MAX_SKEW_SECONDS;
}

/**
 * True when one of the keys made `sig` over all the other parameters and the signed timestamp is
 * recent. A receipt without `sig` or `timestamp` is refused: nothing would prove who sent it, or when.
 */
export function verifyVonageSms(keys: VonageSmsKey[], params: ReceiptParams, nowMs = Date.now()): boolean {
  const { sig, ...signed } = params;
  if (!sig || !isFresh(signed.timestamp, nowMs)) return false;
  return keys.some((key) => sdk.verifySignature(sig, signed, key.secret, ALGORITHMS[key.method]));
}

const receipt = z.object({
  messageId: z.string().min(1),
  status: z.string(),
  'err-code': z.string().min(1).optional(),
});

const FAILED = new Set(['failed', 'rejected', 'expired']);

/**
 * delivered and the three final failures; accepted, buffered and unknown say nothing the message
 * row does not already (a sent message is DELIVERED until a vendor says otherwise).
 */
export function parseVonageSms(params: ReceiptParams): WebhookEvent[] {
  const parsed = receipt.safeParse(params);
  if (!parsed.success) return [];
  const { messageId, status, 'err-code': errCode } = parsed.data;
  if (status === 'delivered') return [{ kind: 'status', providerMessageId: messageId, status: 'DELIVERED' }];
  if (FAILED.has(status)) return [{ kind: 'status', providerMessageId: messageId, status: 'FAILED', code: `vonage:${errCode ?? status}` }];
  return [];
}
