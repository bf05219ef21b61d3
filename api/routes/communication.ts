/**
 * A clinic's own messaging providers, per channel: its provider chain with credentials (secrets
 * sealed at rest and masked in every answer) and delivery settings. Channels a clinic has not
 * configured are served by the platform's global default.
 */
import { randomUUID } from 'node:crypto';
import { CHANNELS, type Channel } from '../../domain/messaging';
import { findProvider, providersFor } from '../../activities/messaging/providers/descriptors';
import { maskProvider, sealProvider, storedProvidersSchema, type StoredProvider } from '../../prisma/communication-config';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type CommunicationConfig, type Prisma } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError, type ErrorDetail } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { clinicIdParams } from '../schemas/common';
import { channelConfigResponse, channelParams, putChannelBody } from '../schemas/communication';
import { writeAudit } from '../services/audit';

function present(channel: Channel, row: CommunicationConfig | null) {
  if (!row) return { channel, configured: false, enabled: true, providers: [], settings: {}, updatedAt: null };
  return {
    channel,
    configured: true,
    enabled: row.enabled,
    providers: storedProvidersSchema.parse(row.providers).map(maskProvider),
    settings: row.settings as Record<string, unknown>,
    updatedAt: row.updatedAt.toISOString(),
  };
}

type ChainEntryInput = { id?: string; label?: string; provider: string; credentials: Record<string, unknown> };

/**
 * Gives each entry of the chain its stable id (kept when the admin sends an existing entry's id
 * back, new otherwise) and a label (the admin's, or the provider's name, numbered when one
 * provider appears twice).
 */
function identifyEntries(chain: ChainEntryInput[], existing: StoredProvider[]): { entries: Array<{ id: string; label: string }>; details: ErrorDetail[] } {
  const details: ErrorDetail[] = [];
  const taken = new Set(chain.flatMap((e) => (e.label ? [e.label.toLowerCase()] : [])));
  const entries = chain.map((entry, i) => {
    if (entry.id && !existing.some((e) => e.id === entry.id)) details.push({ path: `body.providers.${i}.id`, message: 'not an entry of this channel: omit it for a new entry' });
    let label = entry.label;
    for (let n = 1; !label; n++) {
      const candidate = n === 1 ? entry.provider : `${entry.provider} ${n}`;
      if (!taken.has(candidate.toLowerCase())) label = candidate;
    }
    taken.add(label.toLowerCase());
    return { id: entry.id ?? randomUUID(), label };
  });
  return { entries, details };
}

/** Validates each provider of the chain against its own credential schema; errors name the exact field. */
function validateChain(channel: Channel, chain: ChainEntryInput[]) {
  const details: ErrorDetail[] = [];
  const valid = chain.flatMap(({ provider, credentials }, i) => {
    const definition = findProvider(channel, provider);
    if (!definition) {
      const known = providersFor(channel).map((p) => p.provider).join(', ');
      details.push({ path: `body.providers.${i}.provider`, message: `not a ${channel} provider (known: ${known})` });
      return [];
    }
    const parsed = definition.credentials.safeParse(credentials);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) details.push({ path: ['body', 'providers', i, 'credentials', ...issue.path].join('.'), message: issue.message });
      return [];
    }
    // Store what the admin entered (minus unknown keys), not the schema's derived output.
    const known = Object.fromEntries(Object.entries(credentials).filter(([k]) => k in (parsed.data as object)));
    return [{ index: i, definition, credentials: known }];
  });
  if (details.length) throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid provider configuration', details);
  return valid;
}

export function communicationRoutes(r: ApiRouter, { config }: ApiDeps): ApiRouter {
  const cipher = new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID);
  const masked = (providers: StoredProvider[]) => providers.map(maskProvider);

  return r
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's configuration of every channel (secrets masked)",
      access: 'communication:manage',
      tenant: true,
      params: clinicIdParams,
      responses: { 200: { description: 'One entry per channel', schema: z.array(channelConfigResponse) } },
      handler: async (_input, req, res) => {
        const rows = await req.tenant!.db.communicationConfig.findMany();
        res.json(CHANNELS.map((channel) => present(channel, rows.find((row) => row.channel === channel) ?? null)));
      },
    })
    .route({
      method: 'get',
      path: '/:channel',
      summary: "The clinic's configuration of one channel (secrets masked)",
      access: 'communication:manage',
      tenant: true,
      params: channelParams,
      responses: { 200: { description: 'The channel configuration', schema: channelConfigResponse } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.communicationConfig.findFirst({ where: { channel: params.channel } });
        res.json(present(params.channel, row));
      },
    })
    .route({
      method: 'put',
      path: '/:channel',
      summary: "Set the clinic's provider chain and settings for one channel",
      description: 'Each provider\'s credentials are validated against that provider\'s schema; secrets are sealed at rest and never returned.',
      access: 'communication:manage',
      tenant: true,
      params: channelParams,
      body: putChannelBody,
      responses: { 200: { description: 'The saved configuration (secrets masked)', schema: channelConfigResponse } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const where = { clinicId, channel: params.channel };
        if (body.settings.whatsappTemplates && params.channel !== 'whatsapp') {
          throw ApiError.badRequest('VALIDATION_ERROR', 'WhatsApp templates belong to the whatsapp channel', [{ path: 'body.settings.whatsappTemplates', message: `not used by ${params.channel}` }]);
        }
        const valid = validateChain(params.channel, body.providers);
        const row = await db.$transaction(async (tx) => {
          const before = await tx.communicationConfig.findFirst({ where: { channel: params.channel } });
          const { entries, details } = identifyEntries(body.providers, before ? storedProvidersSchema.parse(before.providers) : []);
          if (details.length) throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid provider configuration', details);
          const providers = valid.map(({ index, definition, credentials }) => sealProvider(cipher, where, { ...entries[index]!, provider: definition.provider }, credentials, definition.secretFields));
          const data = { enabled: body.enabled, providers: providers as Prisma.InputJsonValue, settings: body.settings as Prisma.InputJsonValue };
          const after = before
            ? await tx.communicationConfig.update({ where: { id: before.id }, data })
            : await tx.communicationConfig.create({ data: { ...data, clinicId, channel: params.channel } });
          // A configuration the admin just fixed is tried at once: its circuits start closed.
          await tx.providerCircuit.deleteMany({ where: { channel: params.channel } });
          // The trail shows masked credentials: who changed which provider, never a secret or its ciphertext.
          const view = (c: CommunicationConfig | null) => c && { enabled: c.enabled, providers: masked(storedProvidersSchema.parse(c.providers)), settings: c.settings };
          await writeAudit(tx, req, { action: 'communication.configure', entityType: 'CommunicationConfig', entityId: after.id, clinicId, before: view(before), after: view(after) });
          return after;
        });
        res.json(present(params.channel, row));
      },
    })
    .route({
      method: 'delete',
      path: '/:channel',
      summary: "Remove the clinic's configuration of a channel (the global default serves it again)",
      access: 'communication:manage',
      tenant: true,
      params: channelParams,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await db.$transaction(async (tx) => {
          const before = await tx.communicationConfig.findFirst({ where: { channel: params.channel } });
          if (!before) throw ApiError.notFound('Channel configuration');
          await tx.communicationConfig.delete({ where: { id: before.id } });
          await writeAudit(tx, req, {
            action: 'communication.remove',
            entityType: 'CommunicationConfig',
            entityId: before.id,
            clinicId,
            before: { enabled: before.enabled, providers: masked(storedProvidersSchema.parse(before.providers)) },
          });
        });
        res.status(204).end();
      },
    });
}
