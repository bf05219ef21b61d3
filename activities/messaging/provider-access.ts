/**
 * The one place activities turn a provider's credentials (the clinic's, sealed at rest, or the
 * platform's global ones) into a connected client. Sending and the channel test both come here,
 * so a test checks exactly the credentials and client a real send would use.
 */
import { type ProviderSource } from '../../domain/channel-test';
import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';
import { openProvider, storedProvidersSchema } from '../../prisma/communication-config';
import { type MessagingDeps } from './messaging-deps';
import { ProviderError } from './providers/provider-error';
import { connectorFor } from './providers/connectors';
import { type ChannelClient } from './providers/types';

export interface ProviderAccessDeps extends MessagingDeps {
  prisma: PrismaClient;
}

export interface ProviderTarget {
  clinicId: string;
  channel: Channel;
  provider: string;
  source: ProviderSource;
}

/** A connected client for one provider; configuration problems are permanent ProviderErrors. */
export async function clientFor(deps: ProviderAccessDeps, { clinicId, channel, provider, source }: ProviderTarget): Promise<ChannelClient<Channel>> {
  const definition = connectorFor(channel, provider);
  if (!definition) throw new ProviderError('REJECTED', 'clinicflow:unknown-provider', `No ${channel} provider ${provider}`);
  let credentials: Record<string, unknown>;
  let version: string;
  if (source === 'clinic') {
    const config = await deps.prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId, channel } } });
    const stored = config && storedProvidersSchema.parse(config.providers).find((p) => p.provider === provider);
    if (!config || !stored) throw new ProviderError('AUTH', 'clinicflow:not-configured', `${channel}/${provider} is no longer configured`);
    credentials = openProvider(deps.cipher, { clinicId, channel }, stored);
    version = config.updatedAt.toISOString();
  } else {
    const entry = deps.globalConfig[channel]?.providers.find((p) => p.provider === provider);
    if (!entry) throw new ProviderError('AUTH', 'clinicflow:not-configured', `global ${channel}/${provider} is not configured`);
    credentials = entry.credentials;
    version = 'global';
  }
  const parsed = definition.credentials.safeParse(credentials);
  if (!parsed.success) throw new ProviderError('AUTH', 'clinicflow:invalid-credentials', `${channel}/${provider} credentials are invalid`);
  // Global providers are shared by clinics on purpose; a clinic's own never are.
  const owner = source === 'clinic' ? clinicId : 'global';
  return deps.clients.get(`${owner}|${channel}|${provider}`, version, () => definition.connect(parsed.data, deps.endpoints));
}
