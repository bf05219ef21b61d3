import { appointmentsInMonth } from '../../prisma/appointment-usage';
import { type PrismaClient } from '../../prisma/client';
import { type AlertPlan, type LicenseLimits, type LicenseUsageCounts } from '../../domain/licensing';
import { type ClinicForLicensing, type LicenseSnapshot } from '../../domain/licensing-workflow';

export interface LicensingActivityDeps {
  prisma: PrismaClient;
}

const toDate = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`);

export function createLicensingActivities({ prisma }: LicensingActivityDeps) {
  return {
    /** Current tier, limits, usage and open alerts of one clinic; null when the clinic no longer exists. */
    async loadLicenseSnapshot({ clinicId, date }: { clinicId: string; date: string }): Promise<LicenseSnapshot | null> {
      const clinic = await prisma.clinic.findUnique({ where: { id: clinicId }, include: { licenseTier: true } });
      if (!clinic) return null;
      const [staff, patients, appointments, openAlerts] = await Promise.all([
        prisma.staffUser.count({ where: { clinicId, active: true } }),
        prisma.patient.count({ where: { clinicId, active: true } }),
        // Noon UTC of the check's local date lies inside that date's month in every zone.
        appointmentsInMonth(prisma, clinicId, new Date(`${date}T12:00:00Z`)),
        prisma.licenseAlert.findMany({ where: { clinicId, clearedAt: null }, select: { metric: true, level: true } }),
      ]);
      const tier = clinic.licenseTier;
      return {
        clinicId,
        tierCode: tier.code,
        limits: { maxStaff: tier.maxStaff, maxPatients: tier.maxPatients, maxAppointmentsPerMonth: tier.maxAppointmentsPerMonth },
        usage: { staff, patients, appointments },
        openAlerts,
      };
    },

    /** One usage row per clinic and day; a retried or repeated check overwrites the day's figures. */
    async recordLicenseUsage(input: { clinicId: string; date: string; tierCode: string; usage: LicenseUsageCounts; limits: LicenseLimits }): Promise<void> {
      const figures = {
        tierCode: input.tierCode,
        staffCount: input.usage.staff,
        patientCount: input.usage.patients,
        appointmentCount: input.usage.appointments,
        ...input.limits,
      };
      await prisma.licenseUsage.upsert({
        where: { clinicId_date: { clinicId: input.clinicId, date: toDate(input.date) } },
        create: { clinicId: input.clinicId, date: toDate(input.date), ...figures },
        update: figures,
      });
    },

    /**
     * Raises and clears alerts as planned. Holding the clinic's row lock, it raises only alerts
     * that are not already open, so two checks racing (or a retry) never raise one crossing twice.
     */
    async applyLicenseAlertPlan(input: { clinicId: string; date: string; workflowId: string; plan: AlertPlan }): Promise<{ raised: number; cleared: number }> {
      const { clinicId, plan } = input;
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Clinic" WHERE id = ${clinicId}::uuid FOR UPDATE`;
        let cleared = 0;
        for (const { metric, level } of plan.clear) {
          const r = await tx.licenseAlert.updateMany({ where: { clinicId, metric, level, clearedAt: null }, data: { clearedAt: new Date() } });
          cleared += r.count;
        }
        const open = await tx.licenseAlert.findMany({ where: { clinicId, clearedAt: null }, select: { metric: true, level: true } });
        const toRaise = plan.raise.filter((a) => !open.some((o) => o.metric === a.metric && o.level === a.level));
        const created = await tx.licenseAlert.createMany({
          data: toRaise.map((a) => ({ clinicId, metric: a.metric, level: a.level, usage: a.usage, limit: a.limit, percent: a.percent, checkDate: toDate(input.date), workflowId: input.workflowId })),
          skipDuplicates: true,
        });
        return { raised: created.count, cleared };
      });
    },

    /** Clinics in id order, one page at a time, for the daily sweep. */
    async listClinicsForLicensing({ afterClinicId, limit }: { afterClinicId?: string; limit: number }): Promise<ClinicForLicensing[]> {
      return prisma.clinic.findMany({
        where: afterClinicId ? { id: { gt: afterClinicId } } : {},
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, timezone: true },
      });
    },
  };
}
