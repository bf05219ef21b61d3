import { text } from '../../domain/text';
import { z } from '../openapi/zod';
import { booleanQuery, listQuery } from './common';
import { amount, currency } from './scheduling';
import { barcode } from './therapy-types';

const label = text().trim().min(1).max(200);
const count = z.number().int().min(0).max(10_000_000);

const itemFields = {
  name: label,
  category: text().trim().max(100).optional(),
  sku: text().trim().min(1).max(64),
  barcode: barcode.optional(),
  minimumQuantity: count.default(0),
  maximumQuantity: count.optional(),
  unit: text().trim().min(1).max(32).describe('e.g. piece, ml, box'),
  supplier: text().trim().max(200).optional(),
  unitCost: amount.default('0'),
  currency,
  location: text().trim().max(200).optional(),
};

export const createInventoryItemBody = z
  .object({ ...itemFields, quantity: count.default(0).describe('Stock on hand now: recorded as a RECEIVE transaction') })
  .refine((b) => b.maximumQuantity === undefined || b.maximumQuantity >= b.minimumQuantity, { message: 'must not be below the minimum', path: ['maximumQuantity'] })
  .openapi('CreateInventoryItemRequest');

export const updateInventoryItemBody = z
  .object({
    name: label.optional(),
    category: text().trim().max(100).nullable().optional(),
    sku: text().trim().min(1).max(64).optional(),
    barcode: barcode.nullable().optional(),
    minimumQuantity: count.optional(),
    maximumQuantity: count.nullable().optional(),
    unit: text().trim().min(1).max(32).optional(),
    supplier: text().trim().max(200).nullable().optional(),
    unitCost: amount.optional(),
    currency: currency.optional(),
    location: text().trim().max(200).nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateInventoryItemRequest');

export const inventoryItemListQuery = listQuery.extend({
  category: text().trim().max(100).optional(),
  q: text().trim().min(1).max(100).optional().describe('Part of the name or SKU'),
  includeArchived: booleanQuery.optional(),
});

export const stockTransactionBody = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('RECEIVE'), quantity: z.number().int().min(1).max(10_000_000), reason: text().trim().max(500).optional() }),
    z.object({ type: z.literal('USE'), quantity: z.number().int().min(1).max(10_000_000), reason: text().trim().max(500).optional() }),
    z.object({
      type: z.literal('ADJUST'),
      quantity: z.number().int().min(-10_000_000).max(10_000_000).refine((q) => q !== 0, { message: 'must not be zero' }).describe('Signed: what the count found more (+) or less (−)'),
      reason: text().trim().min(3).max(500),
    }),
  ])
  .openapi('StockTransactionRequest');

export const scanBody = z.object({ barcode: text().trim().min(3).max(64) }).openapi('InventoryScanRequest');

export const inventoryItemResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    category: text().nullable(),
    sku: text(),
    barcode: text().nullable(),
    quantity: z.number().int(),
    minimumQuantity: z.number().int(),
    maximumQuantity: z.number().int().nullable(),
    unit: text(),
    supplier: text().nullable(),
    unitCost: text(),
    currency: text(),
    location: text().nullable(),
    lowStock: z.boolean().describe('Below its minimum'),
    archivedAt: text().nullable(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('InventoryItem');

export const inventoryTransactionResponse = z
  .object({
    id: z.uuid(),
    itemId: z.uuid(),
    type: z.enum(['RECEIVE', 'USE', 'ADJUST']),
    quantityChange: z.number().int(),
    quantityAfter: z.number().int(),
    reason: text().nullable(),
    byId: z.uuid().nullable(),
    treatmentRecordId: z.uuid().nullable(),
    createdAt: text(),
  })
  .openapi('InventoryTransaction');

export const stockTransactionResponse = z.object({ item: inventoryItemResponse, transaction: inventoryTransactionResponse }).openapi('StockTransactionResult');

export const createReorderRequestBody = z
  .object({ itemId: z.uuid(), quantity: z.number().int().min(1).max(10_000_000), reason: text().trim().max(500).optional() })
  .openapi('CreateReorderRequest');
export const reorderDecisionBody = z.object({ notes: text().trim().max(1000).optional() }).openapi('ReorderDecisionRequest');
export const reorderRequestListQuery = listQuery.extend({ status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED']).optional(), itemId: z.uuid().optional() });
export const reorderRequestResponse = z
  .object({
    id: z.uuid(),
    itemId: z.uuid(),
    quantity: z.number().int(),
    reason: text().nullable(),
    status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED']),
    requestedById: z.uuid().nullable(),
    decidedById: z.uuid().nullable(),
    decisionNotes: text().nullable(),
    decidedAt: text().nullable(),
    remindedAt: text().nullable(),
    workflowId: text(),
    createdAt: text(),
  })
  .openapi('ReorderRequest');
