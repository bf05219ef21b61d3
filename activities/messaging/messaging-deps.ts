import { z } from 'zod';
import { type Config } from '../../domain/config';
import { CHANNELS, type Channel } from '../../domain/messaging';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { ProviderClientCache } from './provider-clients';
import { findProvider } from './providers/descriptors';
import { type ProviderEndpoints } from './providers/types';

/** The platform's default providers for a channel, used for clinics without their own. */
export interface GlobalChannelConfig {
  providers: Array<{ provider: string; credentials: Record<string, unknown> }>;
  settings: Record<string, unknown>;
}
export type GlobalMessagingConfig = Partial<Record<Channel, GlobalChannelConfig>>;

export interface MessagingDeps {
  cipher: CredentialCipher;
  endpoints: ProviderEndpoints;
  globalConfig: GlobalMessagingConfig;
  clients: ProviderClientCache;
}

const globalSchema = z.partialRecord(
  z.enum(CHANNELS),
  z.object({
    providers: z.array(z.object({ provider: z.string(), credentials: z.record(z.string(), z.unknown()) })).min(1),
    settings: z.record(z.string(), z.unknown()).default({}),
  }),
);

/** Checks GLOBAL_MESSAGING_CONFIG against each provider's credential schema, naming the broken field, never its value. */
export function parseGlobalMessagingConfig(raw: Record<string, unknown>): GlobalMessagingConfig {
  const parsed = globalSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`GLOBAL_MESSAGING_CONFIG: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  for (const [channel, entry] of Object.entries(parsed.data) as Array<[Channel, GlobalChannelConfig]>) {
    entry.providers.forEach(({ provider, credentials }, i) => {
      const definition = findProvider(channel, provider);
      if (!definition) throw new Error(`GLOBAL_MESSAGING_CONFIG: ${channel}.providers.${i}: unknown ${channel} provider ${provider}`);
      const check = definition.credentials.safeParse(credentials);
      if (!check.success) throw new Error(`GLOBAL_MESSAGING_CONFIG: ${channel}.providers.${i}.credentials: ${check.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
    });
  }
  return parsed.data;
}

export function createMessagingDeps(config: Config): MessagingDeps {
  return {
    cipher: new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID),
    endpoints: config.PROVIDER_ENDPOINTS,
    globalConfig: parseGlobalMessagingConfig(config.GLOBAL_MESSAGING_CONFIG),
    clients: new ProviderClientCache(),
  };
}
