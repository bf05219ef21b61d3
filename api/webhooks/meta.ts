/**
 * Meta's WhatsApp Cloud API webhooks (https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
 * Subscribing: Meta calls GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… and expects
 * the challenge back when the token is the one entered in the app dashboard.
 * Events: POST JSON signed in X-Hub-Signature-256 as "sha256=" + hex HMAC-SHA256 of the raw body,
 * keyed with the app secret. Meta publishes no Node SDK, so this uses node:crypto.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { type WebhookEvent } from './apply';
import { safeEqual } from './constant-time';

export function verifyMetaSignature(appSecrets: string[], rawBody: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = header.slice('sha256='.length).toLowerCase();
  return appSecrets.some((secret) => safeEqual(createHmac('sha256', secret).update(rawBody).digest('hex'), given));
}

/** The GET handshake: the challenge to echo, or null when the token is not one of the clinic's. */
export function metaChallenge(verifyTokens: string[], query: { mode?: string; token?: string; challenge?: string }): string | null {
  if (query.mode !== 'subscribe' || !query.token || !query.challenge) return null;
  const token = query.token;
  return verifyTokens.some((expected) => safeEqual(expected, token)) ? query.challenge : null;
}

const status = z.object({
  id: z.string(),
  status: z.string(),
  errors: z.array(z.object({ code: z.union([z.number(), z.string()]).optional() })).optional(),
});
const message = z.object({
  from: z.string(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  // Quick-reply buttons ("Stop promotions") arrive as type "button".
  button: z.object({ text: z.string() }).optional(),
});
const payload = z.object({
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          field: z.string(),
          value: z.object({
            metadata: z.object({ phone_number_id: z.string() }).optional(),
            statuses: z.array(status).optional(),
            messages: z.array(message).optional(),
          }),
        }),
      ),
    }),
  ),
});

/**
 * Events for the clinic's own WhatsApp numbers only: one Meta app (one secret, one callback URL)
 * may serve several numbers, and a STOP sent to another number is not an opt-out from this clinic.
 */
export function parseMeta(body: unknown, phoneNumberIds: ReadonlySet<string>): WebhookEvent[] {
  const parsed = payload.safeParse(body);
  if (!parsed.success) return [];
  const events: WebhookEvent[] = [];
  for (const change of parsed.data.entry.flatMap((e) => e.changes)) {
    const number = change.value.metadata?.phone_number_id;
    if (change.field !== 'messages' || !number || !phoneNumberIds.has(number)) continue;
    for (const s of change.value.statuses ?? []) {
      if (s.status === 'delivered') events.push({ kind: 'status', providerMessageId: s.id, status: 'DELIVERED' });
      else if (s.status === 'read') events.push({ kind: 'status', providerMessageId: s.id, status: 'READ' });
      else if (s.status === 'failed') {
        const code = s.errors?.[0]?.code;
        events.push({ kind: 'status', providerMessageId: s.id, status: 'FAILED', code: code === undefined ? 'meta:failed' : `meta:${code}` });
      }
    }
    for (const m of change.value.messages ?? []) {
      const text = m.text?.body ?? m.button?.text;
      if (text !== undefined) events.push({ kind: 'inbound', channel: 'whatsapp', from: m.from, text });
    }
  }
  return events;
}
