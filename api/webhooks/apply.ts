/**
 * What a verified webhook may change, shared by every vendor: a message's status (forward only),
 * suppressions from bounces and complaints, and opt-outs/opt-ins from STOP/START replies.
 * Every write goes through a client scoped to one clinic, so a callback can never touch another
 * clinic's rows, whatever ids it carries.
 */
import { type Channel } from '../../domain/messaging';
import { addressFor, normalisePhone, type RecipientOverride } from '../../activities/messaging/recipients';
import { type PrismaClient } from '../../prisma/client';
import { type MessageStatus, type Prisma } from '../../prisma/generated/client';
import { scopedToClinic, type TenantDb } from '../../prisma/tenant';
import { type SesFeedback } from './sns';

/** A vendor's report about a message it accepted from us. */
export interface StatusReport {
  kind: 'status';
  providerMessageId: string;
  status: 'DELIVERED' | 'READ' | 'FAILED' | 'BOUNCED';
  /** The vendor's failure code, e.g. twilio:30003. */
  code?: string;
}

/** A message a patient sent to the clinic's number. */
export interface InboundReply {
  kind: 'inbound';
  channel: 'sms' | 'whatsapp';
  from: string;
  text: string;
}

export type WebhookEvent = StatusReport | InboundReply;

/**
 * How far along a message is. A report only moves a message forward: vendors retry and reorder
 * callbacks, so a late "delivered" must not overwrite "read". DELIVERED is also what the workflow
 * writes when a vendor accepts the message, which is why a later failure report still counts.
 */
const PROGRESS: Record<MessageStatus, number> = { PENDING: 0, SENDING: 1, RETRYING: 1, DELIVERED: 2, FAILED: 3, BOUNCED: 3, SUPPRESSED: 3, EXPIRED: 3, READ: 4 };

const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP']);
const E164 = /^\+[1-9]\d{6,14}$/;

export type SuppressionReason = 'HARD_BOUNCE' | 'COMPLAINT' | 'UNSUBSCRIBED';

/** Idempotent (the unique key decides): a vendor's retry or two concurrent callbacks add one row. */
export async function suppress(db: TenantDb, clinicId: string, channel: Channel, address: string, reason: SuppressionReason): Promise<void> {
  await db.suppression.createMany({ data: [{ clinicId, channel, address, reason }], skipDuplicates: true });
}

/**
 * The messages a vendor id belongs to: by the id on the message, or on an accepted attempt (a
 * callback can arrive before the workflow writes its final result onto the message).
 */
export function matchingMessages(provider: string, providerMessageId: string, channel?: Channel) {
  return {
    where: {
      ...(channel ? { channels: { has: channel } } : {}),
      OR: [{ provider, providerMessageId }, { attempts: { some: { provider, providerMessageId, outcome: 'ACCEPTED' as const } } }],
    },
    include: { patient: true, attempts: { where: { provider, providerMessageId }, select: { channel: true } } },
  } satisfies Prisma.MessageFindManyArgs;
}

export async function applyStatus(prisma: PrismaClient, clinicId: string, provider: string, report: Omit<StatusReport, 'kind'>, channel?: Channel): Promise<number> {
  const db = scopedToClinic(prisma, clinicId);
  let changed = 0;
  for (const message of await db.message.findMany(matchingMessages(provider, report.providerMessageId, channel))) {
    if (PROGRESS[report.status] <= PROGRESS[message.status]) continue;
    const failed = report.status === 'FAILED' || report.status === 'BOUNCED';
    const data: Prisma.MessageUpdateManyMutationInput = failed
      ? {
          status: report.status,
          deliveredAt: null,
          failures: [...(message.failures as Prisma.JsonArray), { channel: message.channel ?? message.attempts[0]?.channel ?? channel ?? null, provider, kind: report.status === 'BOUNCED' ? 'BOUNCED' : 'UNDELIVERED', ...(report.code ? { code: report.code } : {}) }],
        }
      : { status: report.status, deliveredAt: message.deliveredAt ?? new Date() };
    // Guarded by the status read above: of two racing callbacks, only one moves the message.
    const { count } = await db.message.updateMany({ where: { id: message.id, status: message.status }, data });
    changed += count;
  }
  return changed;
}

/** STOP-style replies opt the sender out of that channel at this clinic; START/UNSTOP opts them back in. */
export async function applyInbound(prisma: PrismaClient, clinicId: string, reply: Omit<InboundReply, 'kind'>): Promise<void> {
  const keyword = reply.text.trim().toUpperCase();
  if (!OPT_OUT.has(keyword) && !OPT_IN.has(keyword)) return;
  const address = normalisePhone(reply.from);
  if (!address || !E164.test(address)) return;
  const db = scopedToClinic(prisma, clinicId);
  if (OPT_OUT.has(keyword)) await suppress(db, clinicId, reply.channel, address, 'UNSUBSCRIBED');
  // Only the opt-out is lifted: a suppression for another reason stays.
  else await db.suppression.deleteMany({ where: { channel: reply.channel, address, reason: 'UNSUBSCRIBED' } });
}

export async function applyEvents(prisma: PrismaClient, clinicId: string, provider: string, events: WebhookEvent[]): Promise<void> {
  for (const event of events) {
    if (event.kind === 'status') await applyStatus(prisma, clinicId, provider, event);
    else await applyInbound(prisma, clinicId, event);
  }
}

/**
 * An SES report names no clinic, only SES's message id: the message row says which clinic it is.
 * SNS proves the report came through SNS, not whose topic it came from, so a report counts only
 * when it names the address that message was actually sent to: it cannot block anyone else.
 */
export async function applySesFeedback(prisma: PrismaClient, feedback: SesFeedback): Promise<void> {
  for (const message of await prisma.message.findMany(matchingMessages('ses', feedback.messageId, 'email'))) {
    const { clinicId } = message;
    if (feedback.kind === 'delivery') {
      await applyStatus(prisma, clinicId, 'ses', { providerMessageId: feedback.messageId, status: 'DELIVERED' }, 'email');
      continue;
    }
    const patient = message.patient && { ...message.patient, deviceTokens: [] };
    const recipient = addressFor('email', message.recipient as RecipientOverride, patient);
    if (!recipient || !feedback.addresses.includes(recipient)) continue;
    await suppress(scopedToClinic(prisma, clinicId), clinicId, 'email', recipient, feedback.kind === 'hard-bounce' ? 'HARD_BOUNCE' : 'COMPLAINT');
    // A complaint means the mail arrived (and was marked as spam): the message stays delivered.
    if (feedback.kind === 'hard-bounce') await applyStatus(prisma, clinicId, 'ses', { providerMessageId: feedback.messageId, status: 'BOUNCED', code: feedback.code }, 'email');
  }
}
