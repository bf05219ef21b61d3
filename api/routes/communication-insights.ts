/**
 * How a clinic's messaging is doing: delivery counts per channel and provider over a period, and
 * each serving provider's health (recent success rate and circuit state), plus the channel test.
 * Counts come from raw SQL (one pass over the delivery log instead of many Prisma queries); the
 * tenant extension does not reach raw SQL, so every query names the clinic itself.
 */
import { globalChannelEntry, servingProviders } from '../../domain/serving-providers';
import { type ProviderEntryRef } from '../../domain/message-delivery';
import { CHANNELS, type Channel } from '../../domain/messaging';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { type ApiDeps } from '../deps';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { clinicIdParams } from '../schemas/common';
import { channelTestRoutes } from './channel-test';
import { text } from '../../domain/text';
import { messagingAlertRoutes } from './messaging-alerts';

const HOUR_MS = 60 * 60 * 1000;
const PERIODS = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS } as const;
const CIRCUIT_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;
const HEALTH = ['healthy', 'degraded', 'down', 'unknown'] as const;
type Health = (typeof HEALTH)[number];

const statsQuery = z.object({ period: z.enum(['24h', '7d', '30d']).default('24h') });

const statsResponse = z
  .object({
    period: z.enum(['24h', '7d', '30d']),
    from: text(),
    to: text(),
    providers: z.array(
      z.object({
        channel: z.enum(CHANNELS),
        entryId: text(),
        label: text(),
        provider: text(),
        sent: z.number().int().describe('Attempts the provider accepted'),
        delivered: z.number().int().describe('Messages DELIVERED or READ through the provider'),
        failed: z.number().int().describe('Failed attempts, every retry counted, including ones a fallback later rescued'),
        bounced: z.number().int().describe('Messages BOUNCED after the provider accepted them'),
      }),
    ),
  })
  .openapi('CommunicationStats');

const healthResponse = z
  .object({
    checkedAt: text(),
    providers: z.array(
      z.object({
        channel: z.enum(CHANNELS),
        entryId: text(),
        label: text(),
        provider: text(),
        source: z.enum(['clinic', 'global']),
        enabled: z.boolean().describe('false: the clinic switched the channel off'),
        status: z.enum(HEALTH).describe('Of its sends and health probes: ≥ 95 % succeeded: healthy; ≥ 80 %: degraded; less: down; none: unknown'),
        window: z.enum(['1h', '24h']).nullable().describe('The last hour, or the last 24 h when the hour had no sends or probes'),
        attempts: z.number().int().describe('Sends and probes in the window'),
        accepted: z.number().int().describe('Sends accepted and probes passed in the window'),
        successRate: z.number().nullable(),
        lastProbe: z
          .object({ ok: z.boolean(), checkedAt: text(), errorKind: text().nullable() })
          .nullable()
          .describe('The newest active check of the entry (credentials and connectivity; nothing sent)'),
        circuit: z.object({ state: z.enum(CIRCUIT_STATES), openedAt: text().nullable(), consecutiveFailures: z.number().int() }),
      }),
    ),
  })
  .openapi('CommunicationHealth');

/** The seed's health thresholds, in whole numbers so 95 % is exactly 95 %. */
export function healthOf(attempts: number, accepted: number): Health {
  if (attempts === 0) return 'unknown';
  if (accepted * 100 >= attempts * 95) return 'healthy';
  if (accepted * 100 >= attempts * 80) return 'degraded';
  return 'down';
}

interface AttemptRates {
  channel: Channel;
  entryId: string;
  hourTotal: number;
  hourAccepted: number;
  dayTotal: number;
  dayAccepted: number;
}

export function communicationInsightsRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return messagingAlertRoutes(channelTestRoutes(r, deps))
    .route({
      method: 'get',
      path: '/stats',
      summary: 'Messages sent, delivered, failed and bounced per channel and provider over a period',
      description: 'Attempts count by when they finished, messages by when they were created; providers without activity in the period are left out.',
      access: 'communication:manage',
      tenant: true,
      params: clinicIdParams,
      query: statsQuery,
      responses: { 200: { description: 'Counts per channel and provider', schema: statsResponse } },
      handler: async ({ query }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const to = new Date();
        const from = new Date(to.getTime() - PERIODS[query.period]);
        // Per entry; its label and type are taken from its attempts (the newest label wins).
        const rows = await db.$queryRaw<Array<{ channel: Channel; entryId: string; label: string; provider: string; sent: number; delivered: number; failed: number; bounced: number }>>`
          SELECT counts.channel::text AS channel, counts."entryId",
                 coalesce(names.label, counts."entryId") AS label, coalesce(names.provider, '') AS provider,
                 sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(failed)::int AS failed, sum(bounced)::int AS bounced
          FROM (
            SELECT channel, "providerEntryId" AS "entryId",
                   count(*) FILTER (WHERE outcome = 'ACCEPTED') AS sent, 0 AS delivered,
                   count(*) FILTER (WHERE outcome = 'FAILED') AS failed, 0 AS bounced
            FROM "MessageAttempt"
            WHERE "clinicId" = ${clinicId}::uuid AND "finishedAt" >= ${from} AND "finishedAt" < ${to}
            GROUP BY channel, "providerEntryId"
            UNION ALL
            SELECT channel, "providerEntryId",
                   0, count(*) FILTER (WHERE status IN ('DELIVERED', 'READ')),
                   0, count(*) FILTER (WHERE status = 'BOUNCED')
            FROM "Message"
            WHERE "clinicId" = ${clinicId}::uuid AND "createdAt" >= ${from} AND "createdAt" < ${to}
              AND status IN ('DELIVERED', 'READ', 'BOUNCED') AND channel IS NOT NULL AND "providerEntryId" IS NOT NULL
            GROUP BY channel, "providerEntryId"
          ) counts
          LEFT JOIN LATERAL (
            SELECT "providerLabel" AS label, provider FROM "MessageAttempt" a
            WHERE a."clinicId" = ${clinicId}::uuid AND a."providerEntryId" = counts."entryId" AND a.channel = counts.channel
            ORDER BY a."finishedAt" DESC LIMIT 1
          ) names ON true
          GROUP BY counts.channel, counts."entryId", names.label, names.provider
          ORDER BY counts.channel, label`;
        res.json({ period: query.period, from: from.toISOString(), to: to.toISOString(), providers: rows });
      },
    })
    .route({
      method: 'get',
      path: '/health',
      summary: "Each provider serving the clinic: recent success rate and circuit state",
      description: "The clinic's provider chains plus the global providers it falls back to. A provider in both is listed once, as the clinic's.",
      access: 'communication:manage',
      tenant: true,
      params: clinicIdParams,
      responses: { 200: { description: 'One entry per serving provider', schema: healthResponse } },
      handler: async (_input, req, res) => {
        const { db, clinicId } = req.tenant!;
        const now = new Date();
        const hourAgo = new Date(now.getTime() - HOUR_MS);
        const dayAgo = new Date(now.getTime() - 24 * HOUR_MS);
        // Sends and health probes count alike: a dead entry shows before the next message needs it.
        const [configs, circuits, rates, probes] = await Promise.all([
          db.communicationConfig.findMany(),
          db.providerCircuit.findMany(),
          db.$queryRaw<AttemptRates[]>`
            SELECT channel::text AS channel, "entryId",
                   count(*) FILTER (WHERE at >= ${hourAgo})::int AS "hourTotal",
                   count(*) FILTER (WHERE at >= ${hourAgo} AND ok)::int AS "hourAccepted",
                   count(*)::int AS "dayTotal",
                   count(*) FILTER (WHERE ok)::int AS "dayAccepted"
            FROM (
              SELECT channel, "providerEntryId" AS "entryId", "finishedAt" AS at, outcome = 'ACCEPTED' AS ok
              FROM "MessageAttempt" WHERE "clinicId" = ${clinicId}::uuid AND "finishedAt" >= ${dayAgo} AND "finishedAt" <= ${now}
              UNION ALL
              SELECT channel, "entryId", "checkedAt", ok
              FROM "ProviderProbe" WHERE "clinicId" = ${clinicId}::uuid AND "checkedAt" >= ${dayAgo} AND "checkedAt" <= ${now}
            ) outcomes
            GROUP BY channel, "entryId"`,
          db.$queryRaw<Array<{ channel: Channel; entryId: string; ok: boolean; checkedAt: Date; errorKind: string | null }>>`
            SELECT DISTINCT ON (channel, "entryId") channel::text AS channel, "entryId", ok, "checkedAt", "errorKind"
            FROM "ProviderProbe" WHERE "clinicId" = ${clinicId}::uuid
            ORDER BY channel, "entryId", "checkedAt" DESC`,
        ]);

        const serving: Array<ProviderEntryRef & { channel: Channel; enabled: boolean }> = [];
        for (const channel of CHANNELS) {
          const config = configs.find((c) => c.channel === channel);
          const clinicChain = config && { providers: storedProvidersSchema.parse(config.providers), settings: config.settings };
          const { providers } = servingProviders(clinicChain ?? null, globalChannelEntry(deps.config.GLOBAL_MESSAGING_CONFIG, channel));
          for (const p of providers) serving.push({ ...p, channel, enabled: config?.enabled ?? true });
        }

        res.json({
          checkedAt: now.toISOString(),
          providers: serving.map(({ channel, entryId, label, provider, source, enabled }) => {
            const rate = rates.find((r) => r.channel === channel && r.entryId === entryId);
            const window = rate?.hourTotal ? '1h' : rate?.dayTotal ? '24h' : null;
            const attempts = window === '1h' ? rate!.hourTotal : (rate?.dayTotal ?? 0);
            const accepted = window === '1h' ? rate!.hourAccepted : (rate?.dayAccepted ?? 0);
            const circuit = circuits.find((c) => c.channel === channel && c.entryId === entryId);
            const probe = probes.find((p) => p.channel === channel && p.entryId === entryId);
            return {
              channel,
              entryId,
              label,
              provider,
              source,
              enabled,
              status: healthOf(attempts, accepted),
              window,
              attempts,
              accepted,
              successRate: attempts ? accepted / attempts : null,
              lastProbe: probe ? { ok: probe.ok, checkedAt: probe.checkedAt.toISOString(), errorKind: probe.errorKind } : null,
              circuit: { state: circuit?.state ?? 'CLOSED', openedAt: circuit?.openedAt?.toISOString() ?? null, consecutiveFailures: circuit?.consecutiveFailures ?? 0 },
            };
          }),
        });
      },
    });
}
