/**
 * The one place activities turn a provider entry's credentials (the clinic's, sealed at rest, or
 * the platform's global ones) into a connected client. Sending, the channel test and the health
 * probes all come here, so each checks exactly the credentials and client a real send would use.
 */
import { globalEntryId, type ProviderEntryRef } from '../../domain/message-delivery';
import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';
import { openProvider, storedProvidersSchema } from '../../prisma/communication-config';
import { type CommunicationConfig } from '../../prisma/generated/client';
import { type MessagingDeps } from './messaging-deps';
import { ProviderError } from './providers/provider-error';
import { connectorFor } from './providers/connectors';
import { type ChannelClient } from './providers/types';

export interface ProviderAccessDeps extends MessagingDeps {
  prisma: PrismaClient;
}

export interface ProviderTarget extends ProviderEntryRef {
  clinicId: string;
  channel: Channel;
}

/**
 * A connected client for one provider entry; configuration problems are permanent ProviderErrors.
 * `config` is the clinic's row of the channel when the caller has read it already (null: none).
 */
export async function clientFor(deps: ProviderAccessDeps, target: ProviderTarget, config?: CommunicationConfig | null): Promise<ChannelClient<Channel>> {
  const { clinicId, channel, provider, entryId, source } = target;
  const definition = connectorFor(channel, provider);
  if (!definition) throw new ProviderError('REJECTED', 'clinicflow:unknown-provider', `No ${channel} provider ${provider}`);
  let credentials: Record<string, unknown>;
  let version: string;
  if (source === 'clinic') {
    const row = config !== undefined ? config : await deps.prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId, channel } } });
    const stored = row && storedProvidersSchema.parse(row.providers).find((p) => p.id === entryId);
    if (!row || !stored) throw new ProviderError('AUTH', 'clinicflow:not-configured', `${channel} entry ${target.label} is no longer configured`);
    credentials = openProvider(deps.cipher, { clinicId, channel }, stored);
    version = row.updatedAt.toISOString();
  } else {
    const entry = deps.globalConfig[channel]?.providers.find((p, i) => globalEntryId(p.provider, i) === entryId);
    if (!entry) throw new ProviderError('AUTH', 'clinicflow:not-configured', `global ${channel}/${provider} is not configured`);
    credentials = entry.credentials;
    version = 'global';
  }
  const parsed = definition.credentials.safeParse(credentials);
  if (!parsed.success) throw new ProviderError('AUTH', 'clinicflow:invalid-credentials', `${channel} entry ${target.label} has invalid credentials`);
  // Global providers are shared by clinics on purpose; a clinic's own never are.
  const owner = source === 'clinic' ? clinicId : 'global';
  return deps.clients.get(`${owner}|${channel}|${entryId}`, version, () => definition.connect(parsed.data, deps.endpoints));
}
