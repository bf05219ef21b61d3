import { defaultMessageDeadline } from './message-deadline';
import { randomUUID } from 'node:crypto';
import { servingProviders } from '../../domain/serving-providers';
import { alertChannels, type ChannelSnapshot, type EntrySnapshot, type MessagingAlertKind, type MessagingSnapshot, planMessagingAlerts, STUCK_MS } from '../../domain/messaging-alerts';
import { CHANNELS, type Channel } from '../../domain/messaging';
import { workflowIds } from '../../domain/temporal';
import { type Db, type PrismaClient } from '../../prisma/client';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { stableMessageId } from './message-ids';
import { type GlobalMessagingConfig } from './messaging-deps';

export const MESSAGING_ALERT_CATEGORY = 'messaging-alert';
const DAY_MS = 24 * 60 * 60 * 1000;

/** What the admin reads; the alert's figures stay in the API (GET …/communication/alerts). */
const PROBLEMS: Record<MessagingAlertKind, string> = {
  CIRCUIT_OPEN: 'provider failing (circuit open)',
  CHANNEL_SILENT: 'nothing delivered for 10 minutes while messages wait',
  CREDENTIALS_REJECTED: 'provider rejects the credentials',
  BOUNCE_RATE: '24-hour bounce rate above 10 %',
  RATE_LIMIT_NEAR: 'daily send limit 80 % used',
};

interface AlertRow {
  id: string;
  kind: MessagingAlertKind;
  channel: Channel;
  entryId: string;
  label: string;
  openedAt: Date;
  global: boolean;
}

type Tx = Db.Prisma.TransactionClient;

/** The clinic's serving entries and channel figures, from the database only (no provider is called). */
async function loadSnapshot(tx: Tx, globalConfig: GlobalMessagingConfig, clinicId: string, now: Date): Promise<MessagingSnapshot & { smsServed: boolean }> {
  const stuckBefore = new Date(now.getTime() - STUCK_MS);
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const dayStart = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const [configs, circuits, open, latest, figures] = await Promise.all([
    tx.communicationConfig.findMany({ where: { clinicId } }),
    tx.providerCircuit.findMany({ where: { clinicId } }),
    tx.messagingAlert.findMany({ where: { clinicId, resolvedAt: null }, select: { id: true, kind: true, channel: true, entryId: true } }),
    tx.$queryRaw<Array<{ channel: Channel; entryId: string; ok: boolean; errorKind: string | null }>>`
      SELECT DISTINCT ON (channel, "entryId") channel::text AS channel, "entryId", ok, "errorKind" FROM (
        SELECT channel, "providerEntryId" AS "entryId", outcome = 'ACCEPTED' AS ok, "errorKind", "finishedAt" AS at
        FROM "MessageAttempt" WHERE "clinicId" = ${clinicId}::uuid AND "finishedAt" >= ${dayAgo}
        UNION ALL
        SELECT channel, "entryId", ok, "errorKind", "checkedAt" FROM "ProviderProbe" WHERE "clinicId" = ${clinicId}::uuid AND "checkedAt" >= ${dayAgo}
      ) outcomes ORDER BY channel, "entryId", at DESC`,
    tx.$queryRaw<Array<{ channel: Channel; waiting: number; lastAcceptedAt: Date | null; sent: number; bounced: number; today: number }>>`
      SELECT c.channel::text AS channel,
        (SELECT count(*) FROM "Message" m WHERE m."clinicId" = ${clinicId}::uuid AND c.channel = ANY(m.channels)
           AND (m.status = 'RETRYING' OR (m.status IN ('PENDING', 'SENDING') AND m."createdAt" < ${stuckBefore})))::int AS waiting,
        (SELECT max(a."finishedAt") FROM "MessageAttempt" a WHERE a."clinicId" = ${clinicId}::uuid AND a.channel = c.channel AND a.outcome = 'ACCEPTED') AS "lastAcceptedAt",
        (SELECT count(*) FROM "Message" m WHERE m."clinicId" = ${clinicId}::uuid AND m.channel = c.channel AND m."createdAt" >= ${dayAgo}
           AND m.status IN ('DELIVERED', 'READ', 'BOUNCED'))::int AS sent,
        (SELECT count(*) FROM "Message" m WHERE m."clinicId" = ${clinicId}::uuid AND m.channel = c.channel AND m."createdAt" >= ${dayAgo}
           AND m.status = 'BOUNCED')::int AS bounced,
        coalesce((SELECT w.count FROM "RateLimitWindow" w WHERE w."clinicId" = ${clinicId}::uuid AND w.channel = c.channel AND w.seconds = 86400
           AND w."windowStart" = ${dayStart}), 0)::int AS today
      FROM unnest(enum_range(NULL::"MessageChannel")) AS c(channel)`,
  ]);

  const entries: EntrySnapshot[] = [];
  const channels: ChannelSnapshot[] = [];
  let smsServed = false;
  for (const channel of CHANNELS) {
    const config = configs.find((c) => c.channel === channel);
    if (config && !config.enabled) continue;
    const chain = config && { providers: storedProvidersSchema.parse(config.providers), settings: config.settings };
    const { providers, settings } = servingProviders(chain ?? null, globalConfig[channel]);
    if (providers.length === 0) continue;
    if (channel === 'sms') smsServed = true;
    for (const p of providers) {
      const circuit = circuits.find((c) => c.channel === channel && c.entryId === p.entryId);
      const last = latest.find((l) => l.channel === channel && l.entryId === p.entryId);
      entries.push({ channel, entryId: p.entryId, label: p.label, global: p.source === 'global', circuit: circuit?.state ?? 'CLOSED', latest: last ? { ok: last.ok, errorKind: last.errorKind } : null });
    }
    const f = figures.find((x) => x.channel === channel);
    channels.push({
      channel,
      waiting: f?.waiting ?? 0,
      lastAcceptedAtMs: f?.lastAcceptedAt?.getTime() ?? null,
      sent24h: f?.sent ?? 0,
      bounced24h: f?.bounced ?? 0,
      perDayLimit: settings.rateLimits?.perDay ?? null,
      todayCount: f?.today ?? 0,
    });
  }
  return { nowMs: now.getTime(), entries, channels, open, smsServed };
}

/**
 * Raises and resolves a clinic's messaging alerts, and in the same transaction creates one message
 * per alert and recipient (ids derived from alert, recipient and event, so a retried activity adds
 * nothing). Returns the alert messages still waiting to be started, which covers a retry after the
 * commit; the monitor delivers them as children.
 */
export function createMessagingAlertActivities({ prisma, globalConfig, opsEmail }: { prisma: PrismaClient; globalConfig: GlobalMessagingConfig; opsEmail?: string }) {
  return {
    async evaluateMessagingAlerts({ clinicId }: { clinicId: string }): Promise<{ raised: number; resolved: number; messageIds: string[] }> {
      const now = new Date();
      const outcome = await prisma.$transaction(async (tx) => {
        const snapshot = await loadSnapshot(tx, globalConfig, clinicId, now);
        const plan = planMessagingAlerts(snapshot);
        const raised: AlertRow[] = (
          await tx.messagingAlert.createManyAndReturn({
            data: plan.raise.map((a) => ({ id: randomUUID(), clinicId, kind: a.kind, channel: a.channel, entryId: a.entryId, label: a.label, details: a.details, openedAt: now })),
            // MessagingAlert_one_open: an alert raised meanwhile by another run wins.
            skipDuplicates: true,
          })
        ).map((row) => ({ ...row, global: row.entryId.startsWith('global:') }));
        const closing = await tx.messagingAlert.findMany({ where: { clinicId, id: { in: plan.resolve }, resolvedAt: null } });
        await tx.messagingAlert.updateMany({ where: { clinicId, id: { in: closing.map((a) => a.id) } }, data: { resolvedAt: now } });
        const resolved: AlertRow[] = closing.map((row) => ({ ...row, global: row.entryId.startsWith('global:') }));

        if (raised.length + resolved.length > 0) {
          const admins = await tx.staffUser.findMany({ where: { clinicId, role: 'CLINIC_ADMIN', active: true }, select: { email: true, phone: true }, orderBy: { email: 'asc' } });
          const rows = [...raised.map((a) => ['raised', a] as const), ...resolved.map((a) => ['resolved', a] as const)].flatMap(([event, alert]) => {
            const recipients = admins.map((admin) => ({
              recipient: admin.phone ? { email: admin.email, phone: admin.phone } : { email: admin.email },
              channels: alertChannels(alert.channel, snapshot.smsServed, Boolean(admin.phone)),
            }));
            // Platform trouble is everyone's: ops hear of it whatever the clinic's admins do.
            if (alert.global && opsEmail) recipients.push({ recipient: { email: opsEmail }, channels: ['email'] });
            return recipients.map(({ recipient, channels }) => {
              const id = stableMessageId(alert.id, recipient.email, event);
              return {
                id,
                clinicId,
                category: MESSAGING_ALERT_CATEGORY,
                channels,
                recipient,
                templateKey: event === 'raised' ? 'messaging-alert' : 'messaging-recovered',
                variables: { problem: PROBLEMS[alert.kind], channel: alert.channel, label: alert.label, openedAt: alert.openedAt.toISOString() },
                metadata: { alertId: alert.id, event },
                workflowId: workflowIds.messageDelivery(clinicId, id),
              };
            });
          });
          await tx.message.createMany({ data: rows.map((r) => ({ expiresAt: defaultMessageDeadline(), ...r })), skipDuplicates: true });
        }
        return { raised: raised.length, resolved: resolved.length };
      });
      const waiting = await prisma.message.findMany({
        where: { clinicId, category: MESSAGING_ALERT_CATEGORY, status: 'PENDING', createdAt: { gte: new Date(now.getTime() - DAY_MS) } },
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return { ...outcome, messageIds: waiting.map((m) => m.id) };
    },
  };
}
