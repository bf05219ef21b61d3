/**
 * Stock changes, the one way an item's quantity moves: a conditional UPDATE that PostgreSQL
 * applies one at a time per item (concurrent changes wait for each other's row lock and re-check
 * the condition), so stock never goes below zero unless the clinic allows it, however many
 * sessions use the same item at once. Each change writes its InventoryTransaction, and an item
 * falling below its minimum raises one low-stock alert per crossing, to the clinic's admins and
 * inventory managers.
 */
import { stableMessageId } from '../../activities/messaging/message-ids';
import { messageDeliveryStart, workflowIds } from '../../domain/temporal';
import { type TenantDb } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { startWorkflow } from './start-workflow';

type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

export type StockChangeType = 'RECEIVE' | 'USE' | 'ADJUST';

export interface StockChange {
  itemId: string;
  type: StockChangeType;
  /** Signed: negative takes stock off. */
  change: number;
  reason?: string | null;
  byId: string | null;
  treatmentRecordId?: string | null;
}

export interface StockChangeResult {
  itemId: string;
  quantityAfter: number;
  transactionId: string;
  /** The low-stock alert this change raised, with its messages to start once the transaction has committed. */
  raised?: { alertId: string; messageIds: string[] };
}

/** Staff told when an item runs low. */
const ALERT_ROLES = ['CLINIC_ADMIN', 'INVENTORY_MANAGER'] as const;

/** Whether the clinic lets stock go below zero (settings.inventory.allowNegativeStock). */
export async function allowsNegativeStock(tx: Pick<Tx, 'clinic'>, clinicId: string): Promise<boolean> {
  const clinic = await tx.clinic.findUnique({ where: { id: clinicId }, select: { settings: true } });
  const settings = (clinic?.settings ?? {}) as { inventory?: { allowNegativeStock?: unknown } };
  return settings.inventory?.allowNegativeStock === true;
}

export const insufficientStock = (name: string, available: number, wanted: number) =>
  ApiError.conflict('INSUFFICIENT_STOCK', `Only ${available} of ${name} in stock, ${wanted} needed; receive stock first (or let the clinic allow negative stock)`);

/**
 * Applies stock changes inside the caller's transaction, in item-id order (two sessions using the
 * same two items lock them in the same order: no deadlock). Throws 404 for an unknown or archived
 * item, 409 INSUFFICIENT_STOCK when a change would go below zero and the clinic does not allow it.
 */
export async function applyStockChanges(tx: Tx, clinicId: string, changes: StockChange[], allowNegative: boolean): Promise<StockChangeResult[]> {
  const results: StockChangeResult[] = [];
  for (const c of [...changes].sort((a, b) => a.itemId.localeCompare(b.itemId))) results.push(await applyStockChange(tx, clinicId, c, allowNegative));
  return results;
}

async function applyStockChange(tx: Tx, clinicId: string, c: StockChange, allowNegative: boolean): Promise<StockChangeResult> {
  // Raw SQL is not tenant-scoped: it names the clinic itself.
  const [row] = await tx.$queryRaw<Array<{ quantity: number; minimumQuantity: number }>>`
    UPDATE "InventoryItem" SET quantity = quantity + ${c.change}, "updatedAt" = now()
     WHERE id = ${c.itemId}::uuid AND "clinicId" = ${clinicId}::uuid AND "archivedAt" IS NULL
       AND (${allowNegative} OR ${c.change} >= 0 OR quantity + ${c.change} >= 0)
     RETURNING quantity, "minimumQuantity"`;
  if (!row) {
    const item = await tx.inventoryItem.findUnique({ where: { id: c.itemId }, select: { name: true, quantity: true, archivedAt: true } });
    if (!item || item.archivedAt) throw ApiError.notFound('Inventory item');
    throw insufficientStock(item.name, item.quantity, -c.change);
  }
  const quantityAfter = row.quantity;
  const before = quantityAfter - c.change;
  const transaction = await tx.inventoryTransaction.create({
    data: { clinicId, itemId: c.itemId, type: c.type, quantityChange: c.change, quantityAfter, reason: c.reason ?? null, byId: c.byId, treatmentRecordId: c.treatmentRecordId ?? null },
  });
  const result: StockChangeResult = { itemId: c.itemId, quantityAfter, transactionId: transaction.id };
  if (quantityAfter < row.minimumQuantity && before >= row.minimumQuantity) {
    result.raised = await raiseLowStockAlert(tx, clinicId, c.itemId, quantityAfter, row.minimumQuantity);
  } else if (quantityAfter >= row.minimumQuantity && before < row.minimumQuantity) {
    await tx.lowStockAlert.updateMany({ where: { itemId: c.itemId, clearedAt: null }, data: { clearedAt: new Date() } });
  }
  return result;
}

/**
 * One alert per crossing: the item's row lock orders the changes, so exactly one of them sees the
 * crossing; the partial unique index LowStockAlert_one_open refuses a second open alert all the same.
 */
async function raiseLowStockAlert(tx: Tx, clinicId: string, itemId: string, quantity: number, minimum: number): Promise<StockChangeResult['raised']> {
  const [alert] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "LowStockAlert" (id, "clinicId", "itemId", quantity, "minimumQuantity")
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${itemId}::uuid, ${quantity}, ${minimum})
    ON CONFLICT ("clinicId", "itemId") WHERE "clearedAt" IS NULL DO NOTHING
    RETURNING id::text`;
  if (!alert) return undefined;
  const item = await tx.inventoryItem.findUniqueOrThrow({ where: { id: itemId }, select: { name: true, sku: true, unit: true } });
  const staff = await tx.staffUser.findMany({ where: { active: true, role: { in: [...ALERT_ROLES] } }, select: { email: true } });
  const variables = { itemName: item.name, sku: item.sku, unit: item.unit, quantity, minimum };
  const rows = staff.map(({ email }) => {
    const id = stableMessageId('low-stock', alert.id, email);
    return {
      id,
      clinicId,
      category: 'low-stock-alert',
      channels: ['email' as const],
      recipient: { email },
      templateKey: 'low-stock-alert',
      variables,
      metadata: { lowStockAlertId: alert.id, inventoryItemId: itemId },
      workflowId: workflowIds.messageDelivery(clinicId, id),
    };
  });
  await tx.message.createMany({ data: rows, skipDuplicates: true });
  return { alertId: alert.id, messageIds: rows.map((r) => r.id) };
}

/**
 * Starts the deliveries of the alerts raised, after their transaction has committed. A start that
 * fails is logged and leaves the message PENDING in the delivery log; the stock change it
 * announces stands.
 */
export async function deliverLowStockAlerts(deps: ApiDeps, clinicId: string, results: StockChangeResult[]): Promise<void> {
  for (const messageId of results.flatMap((r) => r.raised?.messageIds ?? [])) {
    await startWorkflow(deps, 'messageDeliveryWorkflow', messageDeliveryStart(clinicId, messageId), 'The low-stock alert could not be sent now').catch((err: unknown) => {
      deps.logger.warn({ err: { type: (err as Error)?.name }, messageId }, 'low-stock alert delivery not started');
    });
  }
}
