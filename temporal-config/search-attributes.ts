import { type Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// @temporalio/proto is CommonJS: its namespaces are not visible as ESM named exports.
import proto, { type temporal as protoTypes } from '@temporalio/proto';

const { temporal } = proto;
import { SEARCH_ATTRIBUTES } from '../domain/temporal';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

const INDEXED_TYPE: Record<string, protoTypes.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Every custom search attribute with the index type the server needs to create it. */
export function searchAttributeDefinitions(): Record<string, protoTypes.api.enums.v1.IndexedValueType> {
  return Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, INDEXED_TYPE[key.type] as protoTypes.api.enums.v1.IndexedValueType]));
}

/** Registers ClinicFlow's custom search attributes on a namespace; attributes already there are left alone. */
export async function ensureSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(searchAttributeDefinitions()).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing) });
  return missing.map(([name]) => name);
}
