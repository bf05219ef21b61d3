/**
 * The demo clinic's billing settings: GST at 18 %, included in its prices (so its demo balances
 * read the same with or without invoices), documents sent by e-mail, which `npm start` delivers to
 * its local mail inbox. Settings the clinic already has are left as they are.
 */
import { type Db, type PrismaClient } from './client';

export const DEMO_BILLING = { taxLabel: 'GST', taxRatePercent: '18', pricesIncludeTax: true, documentChannels: ['email'] };

export async function ensureDemoBilling(prisma: PrismaClient, clinicId: string): Promise<void> {
  const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } });
  const settings = (clinic.settings ?? {}) as Record<string, unknown>;
  if (settings.billing !== undefined) return;
  await prisma.clinic.update({ where: { id: clinicId }, data: { settings: { ...settings, billing: DEMO_BILLING } as Db.Prisma.InputJsonValue } });
}
