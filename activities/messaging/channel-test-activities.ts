import { type ProviderVerification } from '../../domain/channel-test';
import { servingProviders } from '../../domain/serving-providers';
import { type Channel } from '../../domain/messaging';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { clientFor, type ProviderAccessDeps } from './provider-access';
import { ProviderError } from './providers/provider-error';

/** A provider that neither answers nor fails within this time is reported as unreachable. */
export const VERIFY_TIMEOUT_MS = 15_000;

function timeout(ms: number): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProviderError('TRANSIENT', 'clinicflow:verify-timeout', `No answer within ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

export function createChannelTestActivities(deps: ProviderAccessDeps) {
  return {
    /**
     * Checks every provider that serves the channel for the clinic (its own chain, then the global
     * ones it falls back to) with the adapter's verify(): credentials and connectivity, nothing
     * sent. A provider's failure is a result, not an error, so one bad provider never hides the
     * others; the answer carries kinds and vendor codes only, never credentials.
     */
    async verifyChannelProviders({ clinicId, channel }: { clinicId: string; channel: Channel }): Promise<ProviderVerification[]> {
      const config = await deps.prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId, channel } } });
      const clinic = config && { providers: storedProvidersSchema.parse(config.providers), settings: config.settings };
      const { providers } = servingProviders(clinic, deps.globalConfig[channel]);
      return Promise.all(
        providers.map(async (entry): Promise<ProviderVerification> => {
          const limit = timeout(VERIFY_TIMEOUT_MS);
          try {
            const client = await clientFor(deps, { clinicId, channel, ...entry }, config);
            await Promise.race([client.verify(), limit.promise]);
            return { ...entry, ok: true };
          } catch (err) {
            // Anything but a ProviderError (a database hiccup, a key that cannot open a secret) may carry data: only its kind is reported.
            const failure = err instanceof ProviderError ? err : new ProviderError('TRANSIENT', 'clinicflow:internal', 'Unexpected error while verifying');
            return { ...entry, ok: false, kind: failure.kind, code: failure.code };
          } finally {
            limit.cancel();
          }
        }),
      );
    },
  };
}
