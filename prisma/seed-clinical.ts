/**
 * Demo data for session records and stock: a treatment catalogue with categories and barcodes,
 * stocked inventory items (one of them already low), and a signed treatment record of a past
 * session whose massage oil came off stock. Idempotent like the rest of the seed: fixed ids,
 * rows that exist are left as they are (staff may have used the stock since).
 */
import { type PrismaClient } from './client';

const ID = (n: number) => `019a0000-0000-7000-8000-0000000c${String(n).padStart(4, '0')}`;

export const DEMO_CATEGORIES = [
  { id: ID(1), name: 'Rehabilitation', description: 'Physiotherapy and movement' },
  { id: ID(2), name: 'Development', description: 'Speech and occupational therapy' },
] as const;

/** The seed's therapy types (prisma/seed.ts) get a category, instructions and the barcode printed on their card. */
const CATALOGUE = [
  { name: 'Physiotherapy', categoryId: ID(1), barcode: 'TRT-PHYSIO', instructions: 'Assess range of motion before and after; warm the muscles first.' },
  { name: 'Speech therapy', categoryId: ID(2), barcode: 'TRT-SPEECH', instructions: 'Record the exercises practised and the home plan.' },
  { name: 'Occupational therapy', categoryId: ID(2), barcode: 'TRT-OT', instructions: 'Note the activities of daily living worked on.' },
] as const;

export const DEMO_ITEMS = [
  { id: ID(101), name: 'Massage oil', category: 'Consumables', sku: 'OIL-500', barcode: 'INV-OIL-500', quantity: 2000, minimumQuantity: 500, maximumQuantity: 5000, unit: 'ml', supplier: 'Kerala Naturals', unitCost: '0.40', location: 'Room 2 cabinet' },
  { id: ID(102), name: 'Kinesiology tape 5 cm', category: 'Consumables', sku: 'TAPE-5CM', barcode: 'INV-TAPE-5CM', quantity: 12, minimumQuantity: 5, maximumQuantity: 40, unit: 'roll', supplier: 'MedSupply India', unitCost: '350.00', location: 'Store room' },
  { id: ID(103), name: 'Nitrile gloves (M)', category: 'Protective', sku: 'GLV-M', barcode: 'INV-GLV-M', quantity: 4, minimumQuantity: 5, maximumQuantity: 30, unit: 'box', supplier: 'MedSupply India', unitCost: '420.00', location: 'Store room' },
] as const;

/** The signed record: on the demo's first completed, unpaid session (prisma/seed.ts DEMO_UNPAID). */
const DEMO_RECORD = { id: ID(201), appointmentId: '019a0000-0000-7000-8000-00000000d001', oilUsed: 30 } as const;

export async function ensureDemoCatalogueAndStock(prisma: PrismaClient, clinicId: string): Promise<void> {
  await prisma.treatmentCategory.createMany({ data: DEMO_CATEGORIES.map((c) => ({ ...c, clinicId })), skipDuplicates: true });
  for (const t of CATALOGUE) {
    // Only types never given a barcode: an admin's own catalogue changes stay.
    await prisma.therapyType.updateMany({ where: { clinicId, name: t.name, barcode: null }, data: { categoryId: t.categoryId, barcode: t.barcode, instructions: t.instructions } });
  }
  await prisma.$transaction(async (tx) => {
    // Two starts seeding at once: the second waits here, then finds what the first wrote.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('clinicflow-demo-stock'))`;
    const existing = await tx.inventoryItem.findMany({ where: { clinicId, id: { in: DEMO_ITEMS.map((i) => i.id) } }, select: { id: true } });
    const missing = DEMO_ITEMS.filter((i) => !existing.some((e) => e.id === i.id));
    for (const item of missing) {
      await tx.inventoryItem.create({ data: { ...item, clinicId, currency: 'INR' } });
      await tx.inventoryTransaction.create({ data: { clinicId, itemId: item.id, type: 'RECEIVE', quantityChange: item.quantity, quantityAfter: item.quantity, reason: 'opening stock' } });
    }
    // Below its minimum from the start: the low-stock list has something to show.
    if (missing.some((i) => i.id === ID(103))) await tx.lowStockAlert.create({ data: { clinicId, itemId: ID(103), quantity: 4, minimumQuantity: 5 } });
  });
  await ensureDemoSignedRecord(prisma, clinicId);
}

async function ensureDemoSignedRecord(prisma: PrismaClient, clinicId: string): Promise<void> {
  const appointment = await prisma.appointment.findUnique({ where: { id: DEMO_RECORD.appointmentId } });
  const physio = await prisma.therapyType.findFirst({ where: { clinicId, name: 'Physiotherapy' } });
  if (!appointment || !physio) return;
  const oil = DEMO_ITEMS[0];
  const content = {
    notes: 'Lower back mobility improved; lumbar stretches and soft-tissue massage.',
    complications: null,
    patientFeedback: 'Less stiffness in the mornings.',
    followUpRequired: true,
    followUpDate: '2026-10-20',
    followUpNotes: 'Review the home exercises.',
  };
  const signedAt = new Date(appointment.endsAt.getTime() + 10 * 60_000);
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('clinicflow-demo-stock'))`;
    if (await tx.treatmentRecord.findUnique({ where: { id: DEMO_RECORD.id }, select: { id: true } })) return;
    const [row] = await tx.$queryRaw<Array<{ quantity: number }>>`
      UPDATE "InventoryItem" SET quantity = quantity - ${DEMO_RECORD.oilUsed}, "updatedAt" = now() WHERE id = ${oil.id}::uuid AND "clinicId" = ${clinicId}::uuid RETURNING quantity`;
    if (!row) return;
    await tx.treatmentRecord.create({
      data: {
        id: DEMO_RECORD.id,
        clinicId,
        appointmentId: appointment.id,
        patientId: appointment.patientId,
        practitionerId: appointment.practitionerId,
        recordedById: appointment.practitionerId,
        status: 'SIGNED',
        durationMinutes: physio.defaultDurationMinutes,
        cost: physio.defaultPrice,
        finalAmount: physio.defaultPrice,
        currency: physio.currency,
        notes: content.notes,
        patientFeedback: content.patientFeedback,
        followUpRequired: true,
        followUpDate: new Date(`${content.followUpDate}T00:00:00Z`),
        followUpNotes: content.followUpNotes,
        barcodeVerified: true,
        barcodeEntry: 'SCANNED',
        signedAt,
        signedById: appointment.practitionerId,
        items: { create: [{ clinicId, therapyTypeId: physio.id, quantity: 1, unitPrice: physio.defaultPrice }] },
        materials: { create: [{ clinicId, itemId: oil.id, quantity: DEMO_RECORD.oilUsed }] },
        versions: { create: [{ clinicId, version: 1, content, byId: appointment.practitionerId, createdAt: signedAt }] },
      },
    });
    await tx.inventoryTransaction.create({
      data: { clinicId, itemId: oil.id, type: 'USE', quantityChange: -DEMO_RECORD.oilUsed, quantityAfter: row.quantity, reason: 'treatment record', byId: appointment.practitionerId, treatmentRecordId: DEMO_RECORD.id },
    });
  });
}
