import { CHANNELS } from '../../domain/messaging';
import { createChannelTestActivities } from './channel-test-activities';
import { type ProviderAccessDeps } from './provider-access';

/** Probe results older than this are pruned: health reads 24 h, the rest is only history. */
export const PROBE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The monitor's active health checks: every provider entry serving the clinic is verified (the
 * channel test's verify(), with its timeout: connectivity and credentials, nothing sent, nothing
 * billed) and one ProviderProbe row per entry is kept for GET …/communication/health.
 */
export function createProviderProbeActivities(deps: ProviderAccessDeps) {
  const { verifyChannelProviders } = createChannelTestActivities(deps);
  return {
    async listClinicsForMonitoring({ afterClinicId, limit }: { afterClinicId?: string; limit: number }): Promise<Array<{ id: string }>> {
      return deps.prisma.clinic.findMany({
        where: afterClinicId ? { id: { gt: afterClinicId } } : {},
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true },
      });
    },

    async probeClinicProviders({ clinicId }: { clinicId: string }): Promise<{ probed: number; failed: number }> {
      const results = await Promise.all(CHANNELS.map(async (channel) => (await verifyChannelProviders({ clinicId, channel })).map((r) => ({ ...r, channel }))));
      const rows = results.flat().map((r) => ({ clinicId, channel: r.channel, entryId: r.entryId, ok: r.ok, errorKind: r.kind ?? null, errorCode: r.code ?? null }));
      await deps.prisma.$transaction([
        deps.prisma.providerProbe.createMany({ data: rows }),
        deps.prisma.providerProbe.deleteMany({ where: { clinicId, checkedAt: { lt: new Date(Date.now() - PROBE_RETENTION_MS) } } }),
      ]);
      return { probed: rows.length, failed: rows.filter((r) => !r.ok).length };
    },
  };
}
