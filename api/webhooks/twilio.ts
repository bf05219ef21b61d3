/**
 * Twilio's status callbacks and inbound messages (SMS and WhatsApp), form-encoded.
 * Verified with the SDK's own validateRequest: X-Twilio-Signature is base64 HMAC-SHA1, keyed with
 * the account's auth token, over the full public URL followed by the POST parameters sorted by name
 * (https://www.twilio.com/docs/usage/security#validating-requests); the SDK compares in constant time.
 */
import twilio from 'twilio';
import { type WebhookEvent } from './apply';

export type FormParams = Record<string, string>;

/** True when any of the clinic's Twilio auth tokens (its SMS and WhatsApp entries may differ) made the signature. */
export function verifyTwilio(authTokens: string[], signature: string | undefined, url: string, params: FormParams): boolean {
  if (!signature) return false;
  return authTokens.some((token) => twilio.validateRequest(token, signature, url, params));
}

/** Form fields as strings only: a repeated key is not something Twilio sends, so it is dropped rather than guessed at. */
export function formParams(body: unknown): FormParams {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

const FAILED = new Set(['failed', 'undelivered']);

export function parseTwilio(params: FormParams): WebhookEvent[] {
  const sid = params.MessageSid ?? params.SmsSid;
  const status = (params.MessageStatus ?? params.SmsStatus ?? '').toLowerCase();
  if (status === 'received' && params.Body !== undefined && params.From) {
    const whatsapp = params.From.startsWith('whatsapp:');
    return [{ kind: 'inbound', channel: whatsapp ? 'whatsapp' : 'sms', from: params.From.replace(/^whatsapp:/, ''), text: params.Body }];
  }
  if (!sid) return [];
  if (status === 'delivered') return [{ kind: 'status', providerMessageId: sid, status: 'DELIVERED' }];
  if (status === 'read') return [{ kind: 'status', providerMessageId: sid, status: 'READ' }];
  if (FAILED.has(status)) return [{ kind: 'status', providerMessageId: sid, status: 'FAILED', code: params.ErrorCode ? `twilio:${params.ErrorCode}` : `twilio:${status}` }];
  // queued, sending, sent, accepted…: steps the message row already reflects.
  return [];
}
