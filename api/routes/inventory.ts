/**
 * The clinic's inventory: items, their stock transactions, scanning an item's barcode and the
 * low-stock list. Every change of a quantity goes through api/services/inventory.ts.
 */
import { type InventoryItem, type InventoryTransaction } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { containsText, isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, listQuery, page } from '../schemas/common';
import {
  createInventoryItemBody,
  inventoryItemListQuery,
  inventoryItemResponse,
  inventoryTransactionResponse,
  scanBody,
  stockTransactionBody,
  stockTransactionResponse,
  updateInventoryItemBody,
} from '../schemas/inventory';
import { writeAudit } from '../services/audit';
import { allowsNegativeStock, applyStockChanges, deliverLowStockAlerts } from '../services/inventory';

type Tx = Parameters<Parameters<TenantDb['$transaction']>[0]>[0];

export function presentInventoryItem(i: InventoryItem): z.infer<typeof inventoryItemResponse> {
  return {
    id: i.id,
    name: i.name,
    category: i.category,
    sku: i.sku,
    barcode: i.barcode,
    quantity: i.quantity,
    minimumQuantity: i.minimumQuantity,
    maximumQuantity: i.maximumQuantity,
    unit: i.unit,
    supplier: i.supplier,
    unitCost: i.unitCost.toFixed(2),
    currency: i.currency,
    location: i.location,
    lowStock: i.quantity < i.minimumQuantity,
    archivedAt: i.archivedAt?.toISOString() ?? null,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

export function presentInventoryTransaction(t: InventoryTransaction): z.infer<typeof inventoryTransactionResponse> {
  return {
    id: t.id,
    itemId: t.itemId,
    type: t.type,
    quantityChange: t.quantityChange,
    quantityAfter: t.quantityAfter,
    reason: t.reason,
    byId: t.byId,
    treatmentRecordId: t.treatmentRecordId,
    createdAt: t.createdAt.toISOString(),
  };
}

const skuTaken = () => ApiError.conflict('SKU_TAKEN', 'Another item of this clinic has this SKU');
const barcodeTaken = () => ApiError.conflict('BARCODE_TAKEN', 'Another inventory item or therapy type of this clinic has this barcode');

/** SKUs and barcodes are unique per clinic; a barcode names an item or a treatment, never both. */
async function assertUnique(tx: Tx, fields: { sku?: string; barcode?: string | null }, exceptId?: string): Promise<void> {
  const other = exceptId ? { id: { not: exceptId } } : {};
  if (fields.sku && (await tx.inventoryItem.findFirst({ where: { sku: fields.sku, ...other }, select: { id: true } }))) throw skuTaken();
  if (fields.barcode) {
    const [item, type] = await Promise.all([
      tx.inventoryItem.findFirst({ where: { barcode: fields.barcode, ...other }, select: { id: true } }),
      tx.therapyType.findFirst({ where: { barcode: fields.barcode }, select: { id: true } }),
    ]);
    if (item || type) throw barcodeTaken();
  }
}

async function uniqueRefusal(db: TenantDb, fields: { sku?: string; barcode?: string | null }): Promise<ApiError> {
  if (fields.barcode && (await db.inventoryItem.findFirst({ where: { barcode: fields.barcode }, select: { id: true } }))) return barcodeTaken();
  return skuTaken();
}

export function inventoryRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/items',
      summary: 'Add an inventory item, with the stock on hand',
      access: 'inventory:manage',
      tenant: true,
      body: createInventoryItemBody,
      responses: { 201: { description: 'Created', schema: inventoryItemResponse }, 409: { description: 'SKU_TAKEN, BARCODE_TAKEN' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const { quantity, ...fields } = body;
        const created = await db
          .$transaction(async (tx) => {
            await assertUnique(tx, fields);
            const row = await tx.inventoryItem.create({ data: { ...fields, clinicId, quantity: 0 } });
            // The opening stock is a receipt like any other, so the item's history adds up to its quantity.
            if (quantity > 0) await applyStockChanges(tx, clinicId, [{ itemId: row.id, type: 'RECEIVE', change: quantity, reason: 'opening stock', byId: req.auth!.userId }], false);
            const after = await tx.inventoryItem.findUniqueOrThrow({ where: { id: row.id } });
            await writeAudit(tx, req, { action: 'inventoryItem.create', entityType: 'InventoryItem', entityId: row.id, clinicId, after });
            return after;
          })
          .catch(async (err: unknown) => {
            throw isUniqueViolation(err) ? await uniqueRefusal(db, fields) : err;
          });
        res.status(201).json(presentInventoryItem(created));
      },
    })
    .route({
      method: 'get',
      path: '/items',
      summary: "List the clinic's inventory items, by name",
      access: 'inventory:read',
      tenant: true,
      query: inventoryItemListQuery,
      responses: { 200: { description: 'A page of items', schema: page(inventoryItemResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.inventoryItem.findMany({
          where: {
            ...(query.category ? { category: query.category } : {}),
            ...(query.q ? { OR: [{ name: containsText(query.q) }, { sku: containsText(query.q) }] } : {}),
            ...(query.includeArchived ? {} : { archivedAt: null }),
          },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentInventoryItem));
      },
    })
    .route({
      method: 'get',
      path: '/items/:id',
      summary: 'Read an inventory item',
      access: 'inventory:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The item', schema: inventoryItemResponse }, 404: { description: 'No such item' } },
      handler: async ({ params }, req, res) => {
        const item = await req.tenant!.db.inventoryItem.findUnique({ where: { id: params.id } });
        if (!item) throw ApiError.notFound('Inventory item');
        res.json(presentInventoryItem(item));
      },
    })
    .route({
      method: 'patch',
      path: '/items/:id',
      summary: "Change an item's details and limits (its quantity changes only through transactions)",
      access: 'inventory:manage',
      tenant: true,
      params: idParams,
      body: updateInventoryItemBody,
      responses: { 200: { description: 'The changed item', schema: inventoryItemResponse }, 404: { description: 'No such item' }, 409: { description: 'SKU_TAKEN, BARCODE_TAKEN, ARCHIVED' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const updated = await db
          .$transaction(async (tx) => {
            const before = await tx.inventoryItem.findUnique({ where: { id: params.id } });
            if (!before) throw ApiError.notFound('Inventory item');
            if (before.archivedAt) throw ApiError.conflict('ARCHIVED', 'The item is archived');
            await assertUnique(tx, body, before.id);
            const max = body.maximumQuantity === undefined ? before.maximumQuantity : body.maximumQuantity;
            if (max !== null && max < (body.minimumQuantity ?? before.minimumQuantity)) {
              throw ApiError.unprocessable('INVALID_LIMITS', 'The maximum is below the minimum', [{ path: 'body.maximumQuantity', message: 'must not be below the minimum' }]);
            }
            const after = await tx.inventoryItem.update({ where: { id: before.id }, data: body });
            await writeAudit(tx, req, { action: 'inventoryItem.update', entityType: 'InventoryItem', entityId: after.id, clinicId, before, after });
            return after;
          })
          .catch(async (err: unknown) => {
            throw isUniqueViolation(err) ? await uniqueRefusal(db, body) : err;
          });
        res.json(presentInventoryItem(updated));
      },
    })
    .route({
      method: 'delete',
      path: '/items/:id',
      summary: 'Archive an item: no more stock changes; records that used it keep it',
      access: 'inventory:manage',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The archived item', schema: inventoryItemResponse }, 404: { description: 'No such item' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const archived = await db.$transaction(async (tx) => {
          const before = await tx.inventoryItem.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Inventory item');
          if (before.archivedAt) return before;
          const after = await tx.inventoryItem.update({ where: { id: before.id }, data: { archivedAt: new Date() } });
          await tx.lowStockAlert.updateMany({ where: { itemId: before.id, clearedAt: null }, data: { clearedAt: new Date() } });
          await writeAudit(tx, req, { action: 'inventoryItem.archive', entityType: 'InventoryItem', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentInventoryItem(archived));
      },
    })
    .route({
      method: 'post',
      path: '/items/:id/transactions',
      summary: 'Receive, use or adjust stock (an adjustment needs its reason)',
      description: "Stock that would go below zero answers 409 INSUFFICIENT_STOCK unless the clinic's settings.inventory.allowNegativeStock is true.",
      access: 'inventory:manage',
      tenant: true,
      params: idParams,
      body: stockTransactionBody,
      responses: { 201: { description: 'The item after the change, and the transaction', schema: stockTransactionResponse }, 404: { description: 'No such item' }, 409: { description: 'INSUFFICIENT_STOCK' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const change = body.type === 'USE' ? -body.quantity : body.quantity;
        const { item, transaction, results } = await db.$transaction(async (tx) => {
          const allowNegative = change < 0 ? await allowsNegativeStock(tx, clinicId) : false;
          const results = await applyStockChanges(tx, clinicId, [{ itemId: params.id, type: body.type, change, reason: body.reason ?? null, byId: req.auth!.userId }], allowNegative);
          const item = await tx.inventoryItem.findUniqueOrThrow({ where: { id: params.id } });
          const transaction = await tx.inventoryTransaction.findUniqueOrThrow({ where: { id: results[0]!.transactionId } });
          await writeAudit(tx, req, { action: `inventory.${body.type.toLowerCase()}`, entityType: 'InventoryItem', entityId: item.id, clinicId, after: { quantityChange: change, quantityAfter: item.quantity } });
          return { item, transaction, results };
        });
        await deliverLowStockAlerts(deps, clinicId, results);
        res.status(201).json({ item: presentInventoryItem(item), transaction: presentInventoryTransaction(transaction) });
      },
    })
    .route({
      method: 'get',
      path: '/items/:id/transactions',
      summary: "An item's stock transactions, newest first",
      access: 'inventory:read',
      tenant: true,
      params: idParams,
      query: listQuery,
      responses: { 200: { description: 'A page of transactions', schema: page(inventoryTransactionResponse) }, 404: { description: 'No such item' } },
      handler: async ({ params, query }, req, res) => {
        const { db } = req.tenant!;
        if (!(await db.inventoryItem.findUnique({ where: { id: params.id }, select: { id: true } }))) throw ApiError.notFound('Inventory item');
        const rows = await db.inventoryTransaction.findMany({ where: { itemId: params.id }, orderBy: [{ id: 'desc' }], ...pageArgs(query.limit, query.cursor) });
        res.json(toPage(rows, query.limit, presentInventoryTransaction));
      },
    })
    .route({
      method: 'post',
      path: '/scan',
      summary: 'Find the item a scanned (or typed-in) barcode names',
      access: 'inventory:read',
      tenant: true,
      body: scanBody,
      responses: { 200: { description: 'The item', schema: inventoryItemResponse }, 404: { description: 'No item of this clinic has this barcode' } },
      handler: async ({ body }, req, res) => {
        const item = await req.tenant!.db.inventoryItem.findFirst({ where: { barcode: body.barcode, archivedAt: null } });
        if (!item) throw ApiError.notFound('Inventory item');
        res.json(presentInventoryItem(item));
      },
    })
    .route({
      method: 'get',
      path: '/low-stock',
      summary: 'Items below their minimum',
      access: 'inventory:read',
      tenant: true,
      query: listQuery,
      responses: { 200: { description: 'A page of items', schema: page(inventoryItemResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, clinicId } = req.tenant!;
        // One column compared with another, which Prisma's filters cannot say: raw SQL, naming the clinic itself.
        const below = await db.$queryRaw<Array<{ id: string }>>`
          SELECT id::text FROM "InventoryItem" WHERE "clinicId" = ${clinicId}::uuid AND "archivedAt" IS NULL AND quantity < "minimumQuantity"`;
        const rows = await db.inventoryItem.findMany({ where: { id: { in: below.map((b) => b.id) } }, orderBy: [{ id: 'asc' }], ...pageArgs(query.limit, query.cursor) });
        res.json(toPage(rows, query.limit, presentInventoryItem));
      },
    });
}
