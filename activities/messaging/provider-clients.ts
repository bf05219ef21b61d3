import { type Channel } from '../../domain/messaging';
import { type ChannelClient } from './providers/types';

/**
 * One connected client per clinic, channel and provider per worker, so pooled connections (SMTP)
 * and SDK instances are reused across messages. A changed configuration (new version) replaces
 * the client; clinics never share one, so credentials never cross tenants.
 */
export class ProviderClientCache {
  private readonly clients = new Map<string, { version: string; client: ChannelClient<Channel> }>();

  get(key: string, version: string, connect: () => ChannelClient<Channel>): ChannelClient<Channel> {
    const cached = this.clients.get(key);
    if (cached?.version === version) return cached.client;
    if (cached) void cached.client.close().catch(() => undefined);
    const client = connect();
    this.clients.set(key, { version, client });
    return client;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(all.map(({ client }) => client.close()));
  }
}
