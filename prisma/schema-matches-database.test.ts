/**
 * Migrations are written by hand (the schema engine that would generate them cannot be downloaded
 * here), so nothing but this test ties prisma/migrations to schema.prisma. It applies every
 * migration to a fresh database, reads the schema through Prisma's own parser (the DMMF of
 * @prisma/internals, the WebAssembly build that works offline) and compares the two the way
 * `prisma migrate diff` would: tables, columns and their types, nullability and defaults, enums,
 * primary keys, unique and plain indexes, and foreign keys with their referential actions.
 *
 * The comparison is a function of the schema text, so the last test feeds it edited schemas and
 * checks that it reports exactly the drift it should: a checker that never fails proves nothing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
// @prisma/internals is CommonJS whose exports Node cannot detect statically: import the default.
import internals from '@prisma/internals';
import pg from 'pg';
import { createTestDatabase } from '../test/support/database';
import { TENANT_SCOPE_FIELD } from './tenant-models';

const { getDMMF } = internals;
type Datamodel = Awaited<ReturnType<typeof getDMMF>>['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];
type SchemaIndex = Datamodel['indexes'][number];

const SCHEMA = readFileSync(path.join(import.meta.dirname, 'schema.prisma'), 'utf8');
/** Applied by prisma/migrator.ts, not described by schema.prisma. */
const MIGRATIONS_TABLE = '_prisma_migrations';
/**
 * Constraints Prisma's schema language cannot express (exclusion constraints, partial unique
 * indexes), each named in a comment of its model in schema.prisma. Only these may exist without a
 * schema index.
 */
const DATABASE_ONLY_INDEXES = new Set(['Appointment_practitioner_no_overlap', 'Appointment_patient_no_overlap', 'RescheduleRequest_one_pending', 'MessagingAlert_one_open', 'LowStockAlert_one_open']);
/** PostgreSQL's NAMEDATALEN - 1: longer constraint names are truncated by Prisma. */
const MAX_IDENTIFIER_LENGTH = 63;

// ---------------------------------------------------------------------------------------------
// What the database holds, read from information_schema and pg_catalog.

interface DbColumn {
  table: string;
  column: string;
  dataType: string;
  udtName: string;
  nullable: boolean;
  default: string | null;
  charLength: number | null;
  numericPrecision: number | null;
  numericScale: number | null;
  datetimePrecision: number | null;
}

interface DbIndex {
  table: string;
  name: string;
  primary: boolean;
  unique: boolean;
  method: string;
  partial: boolean;
  /** Key columns in order, ' DESC' appended to descending ones, '(expression)' for expressions. */
  columns: string[];
}

interface DbForeignKey {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

interface DatabaseSnapshot {
  tables: string[];
  columns: DbColumn[];
  enums: Map<string, string[]>;
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
}

// pg_constraint.confdeltype / confupdtype codes, named as in Prisma's referential actions.
const REFERENTIAL_ACTIONS: Readonly<Record<string, string>> = {
  a: 'NoAction',
  r: 'Restrict',
  c: 'Cascade',
  n: 'SetNull',
  d: 'SetDefault',
};

async function readDatabase(url: string): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // information_schema columns are domains (sql_identifier, cardinal_number…): cast them so the
    // driver returns plain strings and numbers.
    const tables = await client.query<{ name: string }>(
      `SELECT table_name::text AS name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const columns = await client.query<DbColumn>(
      `SELECT table_name::text AS "table", column_name::text AS "column", data_type::text AS "dataType",
              udt_name::text AS "udtName", is_nullable = 'YES' AS nullable, column_default::text AS "default",
              character_maximum_length::int AS "charLength", numeric_precision::int AS "numericPrecision",
              numeric_scale::int AS "numericScale", datetime_precision::int AS "datetimePrecision"
       FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name <> $1
       ORDER BY table_name, ordinal_position`,
      [MIGRATIONS_TABLE],
    );
    const enums = await client.query<{ name: string; values: string[] }>(
      `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = current_schema()
       GROUP BY t.typname`,
    );
    // indkey/indoption are int2vector: indkey is cast to an array to unnest it, indoption is
    // subscripted directly (int2vector subscripts start at 0). INCLUDE columns are not key columns.
    const indexes = await client.query<DbIndex>(
      `SELECT t.relname::text AS "table", i.relname::text AS name, ix.indisprimary AS primary,
              ix.indisunique AS unique, am.amname::text AS method, ix.indpred IS NOT NULL AS partial,
              array(
                SELECT coalesce(a.attname::text, '(expression)')
                       || CASE WHEN ix.indoption[k.ord - 1] & 1 = 1 THEN ' DESC' ELSE '' END
                FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                WHERE k.ord <= ix.indnkeyatts
                ORDER BY k.ord
              ) AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
       WHERE n.nspname = current_schema() AND t.relname <> $1`,
      [MIGRATIONS_TABLE],
    );
    const foreignKeys = await client.query<DbForeignKey>(
      `SELECT c.conname::text AS name, t.relname::text AS "table", rt.relname::text AS "refTable",
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
              c.confdeltype::text AS "onDelete", c.confupdtype::text AS "onUpdate"
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_class rt ON rt.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE c.contype = 'f' AND n.nspname = current_schema()`,
    );
    return {
      tables: tables.rows.map((r) => r.name).filter((name) => name !== MIGRATIONS_TABLE),
      columns: columns.rows,
      enums: new Map(enums.rows.map((r) => [r.name, r.values])),
      indexes: indexes.rows,
      foreignKeys: foreignKeys.rows.map((fk) => ({
        ...fk,
        onDelete: REFERENTIAL_ACTIONS[fk.onDelete] ?? fk.onDelete,
        onUpdate: REFERENTIAL_ACTIONS[fk.onUpdate] ?? fk.onUpdate,
      })),
    };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Column types: what Prisma's PostgreSQL connector creates for a field, in information_schema terms.

/** information_schema's view of a type: data_type with its length/precision, and udt_name. */
interface SqlType {
  label: string;
  udt: string;
}

/** Enums and arrays are only told apart by udt_name (the enum's name, `_<element>` for arrays). */
function formatType(type: SqlType): string {
  return type.label === 'USER-DEFINED' || type.label === 'ARRAY' ? `${type.label} ${type.udt}` : type.label;
}

/** `timestamp with time zone` + 3 → `timestamp(3) with time zone`, as PostgreSQL spells it. */
function withTimePrecision(dataType: string, precision: number): string {
  const [head, ...rest] = dataType.split(' ');
  return [`${head}(${precision})`, ...rest].join(' ');
}

function actualType(column: DbColumn): SqlType {
  const { dataType: dt, udtName: udt } = column;
  if (dt === 'numeric' && column.numericPrecision !== null) {
    return { label: `numeric(${column.numericPrecision},${column.numericScale ?? 0})`, udt };
  }
  if (/^(timestamp|time) with(out)? time zone$/.test(dt) && column.datetimePrecision !== null) {
    return { label: withTimePrecision(dt, column.datetimePrecision), udt };
  }
  if (/^(character|character varying|bit|bit varying)$/.test(dt) && column.charLength !== null) {
    return { label: `${dt}(${column.charLength})`, udt };
  }
  return { label: dt, udt };
}

/** PostgreSQL's precision when a time type is declared without one. */
const DEFAULT_TIME_PRECISION = 6;

/**
 * Prisma's PostgreSQL type for a scalar type and optional @db.* native type. Returns a string
 * (the reason) for a type this checker does not know yet, so a new kind of field fails loudly
 * instead of passing unchecked.
 */
function expectedScalarType(type: string, nativeType: readonly [string, readonly string[]] | null): SqlType | string {
  const [native, args] = nativeType ?? [null, []];
  const arg = (i: number): number | null => (args[i] === undefined ? null : Number(args[i]));
  const sized = (label: string, udt: string): SqlType => ({ label: arg(0) === null ? label : `${label}(${arg(0)})`, udt });
  const time = (dataType: string, udt: string): SqlType => ({
    label: withTimePrecision(dataType, arg(0) ?? DEFAULT_TIME_PRECISION),
    udt,
  });
  switch (`${type} ${native ?? '-'}`) {
    case 'String -':
    case 'String Text':
      return { label: 'text', udt: 'text' };
    case 'String Uuid':
      return { label: 'uuid', udt: 'uuid' };
    case 'String VarChar':
      return sized('character varying', 'varchar');
    case 'String Char':
      return { label: `character(${arg(0) ?? 1})`, udt: 'bpchar' };
    case 'String Xml':
      return { label: 'xml', udt: 'xml' };
    case 'String Inet':
      return { label: 'inet', udt: 'inet' };
    case 'String Citext':
      return { label: 'USER-DEFINED', udt: 'citext' };
    case 'Int -':
    case 'Int Integer':
      return { label: 'integer', udt: 'int4' };
    case 'Int SmallInt':
      return { label: 'smallint', udt: 'int2' };
    case 'Int Oid':
      return { label: 'oid', udt: 'oid' };
    case 'BigInt -':
    case 'BigInt BigInt':
      return { label: 'bigint', udt: 'int8' };
    case 'Float -':
    case 'Float DoublePrecision':
      return { label: 'double precision', udt: 'float8' };
    case 'Float Real':
      return { label: 'real', udt: 'float4' };
    case 'Decimal -':
      // Prisma's default precision for Decimal on PostgreSQL.
      return { label: 'numeric(65,30)', udt: 'numeric' };
    case 'Decimal Decimal':
      return { label: arg(0) === null ? 'numeric' : `numeric(${arg(0)},${arg(1) ?? 0})`, udt: 'numeric' };
    case 'Decimal Money':
      return { label: 'money', udt: 'money' };
    case 'Boolean -':
    case 'Boolean Boolean':
      return { label: 'boolean', udt: 'bool' };
    case 'DateTime -':
      // Prisma stores DateTime with millisecond precision unless told otherwise.
      return { label: 'timestamp(3) without time zone', udt: 'timestamp' };
    case 'DateTime Timestamp':
      return time('timestamp without time zone', 'timestamp');
    case 'DateTime Timestamptz':
      return time('timestamp with time zone', 'timestamptz');
    case 'DateTime Time':
      return time('time without time zone', 'time');
    case 'DateTime Timetz':
      return time('time with time zone', 'timetz');
    case 'DateTime Date':
      return { label: 'date', udt: 'date' };
    case 'Json -':
    case 'Json JsonB':
      return { label: 'jsonb', udt: 'jsonb' };
    case 'Json Json':
      return { label: 'json', udt: 'json' };
    case 'Bytes -':
    case 'Bytes ByteA':
      return { label: 'bytea', udt: 'bytea' };
    default:
      return `the checker does not know ${type}${native ? ` @db.${native}` : ''}: teach expectedScalarType`;
  }
}

function expectedType(field: Field, enumDbNames: ReadonlyMap<string, string>): SqlType | string {
  let element: SqlType | string;
  if (field.kind === 'enum') {
    element = { label: 'USER-DEFINED', udt: enumDbNames.get(field.type) ?? field.type };
  } else if (field.kind === 'scalar') {
    element = expectedScalarType(field.type, field.nativeType ?? null);
  } else {
    return `the checker does not know ${field.kind} fields (${field.type})`;
  }
  // Lists are PostgreSQL arrays; information_schema names only their element's udt, `_<udt>`.
  if (field.isList && typeof element !== 'string') return { label: 'ARRAY', udt: `_${element.udt}` };
  return element;
}

// ---------------------------------------------------------------------------------------------
// Column defaults.

type ExpectedDefault =
  | { kind: 'none'; why: string }
  | { kind: 'now' }
  | { kind: 'sequence' }
  | { kind: 'literal'; value: string }
  | { kind: 'any'; why: string };

/** Functions Prisma Client evaluates itself: the column has no default of its own. */
const CLIENT_GENERATED = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

function expectedDefault(field: Field, enums: Datamodel['enums']): ExpectedDefault {
  const value = field.default;
  if (value === undefined) {
    return { kind: 'none', why: field.isUpdatedAt ? '@updatedAt is set by Prisma Client' : 'the field has no @default' };
  }
  if (typeof value === 'object') {
    // A function default is { name, args }; the other object is a list default (`@default([…])`).
    if (!('name' in value)) return { kind: 'any', why: 'list default' };
    if (CLIENT_GENERATED.has(value.name)) return { kind: 'none', why: `@default(${value.name}()) is generated by Prisma Client` };
    if (value.name === 'now') return { kind: 'now' };
    if (value.name === 'autoincrement' || value.name === 'sequence') return { kind: 'sequence' };
    return { kind: 'any', why: `@default(${value.name}(…))` };
  }
  if (field.kind === 'enum' && typeof value === 'string') {
    const enumValue = enums.find((e) => e.name === field.type)?.values.find((v) => v.name === value);
    return { kind: 'literal', value: enumValue?.dbName ?? value };
  }
  return { kind: 'literal', value: String(value) };
}

/** `'USD'::text` → `USD`, `'{}'::jsonb` → `{}`, `'-1'::integer` → `-1`, `true` → `true`. */
function defaultLiteral(expression: string): string {
  const withoutCasts = expression.replace(/(::[\w" ]+(\[\])?(\(\d+(,\d+)?\))?)+$/, '');
  const quoted = /^'((?:[^']|'')*)'$/.exec(withoutCasts);
  return quoted?.[1] !== undefined ? quoted[1].replaceAll("''", "'") : withoutCasts;
}

function sameLiteral(field: Field, expected: string, actual: string): boolean {
  if (field.type === 'Json') {
    // jsonb keeps the default's text as written: compare the values, not the spacing.
    try {
      return JSON.stringify(JSON.parse(expected)) === JSON.stringify(JSON.parse(actual));
    } catch {
      return expected === actual;
    }
  }
  if (['Int', 'BigInt', 'Float', 'Decimal'].includes(field.type)) return Number(expected) === Number(actual);
  return expected === actual;
}

function defaultMismatch(field: Field, expected: ExpectedDefault, actual: string | null): string | null {
  const shown = actual === null ? 'no default' : `DEFAULT ${actual}`;
  switch (expected.kind) {
    case 'none':
      return actual === null ? null : `has ${shown}, expected none (${expected.why})`;
    case 'any':
      return actual !== null ? null : `has no default, expected one (${expected.why})`;
    case 'now':
      // Prisma writes CURRENT_TIMESTAMP; now() is the same function.
      return actual === 'CURRENT_TIMESTAMP' || actual === 'now()' ? null : `has ${shown}, expected DEFAULT CURRENT_TIMESTAMP (@default(now()))`;
    case 'sequence':
      return actual?.startsWith('nextval(') ? null : `has ${shown}, expected a sequence (@default(autoincrement()))`;
    case 'literal':
      if (actual !== null && sameLiteral(field, expected.value, defaultLiteral(actual))) return null;
      return `has ${shown}, expected the value ${JSON.stringify(expected.value)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The comparison.

type Area = 'tables' | 'columns' | 'enums' | 'indexes' | 'foreign keys' | 'defaults';
interface Mismatch {
  area: Area;
  message: string;
}

const tableOf = (model: Model): string => model.dbName ?? model.name;
const columnOf = (field: Field): string => field.dbName ?? field.name;
/** `("clinicId", "name" DESC)`: index columns carry a ' DESC' suffix, which stays outside the quotes. */
const list = (columns: readonly string[]): string =>
  `(${columns.map((c) => (c.endsWith(' DESC') ? `"${c.slice(0, -' DESC'.length)}" DESC` : `"${c}"`)).join(', ')})`;

/** Column names of a model's fields, by field name (relations and @map need this). */
function columnNames(model: Model, fieldNames: readonly string[]): string[] {
  return fieldNames.map((name) => {
    const field = model.fields.find((f) => f.name === name);
    return field ? columnOf(field) : name;
  });
}

/**
 * Prisma's default constraint name: `<table>_<columns>_<suffix>`. Past 63 characters Prisma
 * shortens the `<table>_<columns>` part and keeps the suffix; the exact cut is Prisma's, so a
 * long name only has to be a shortened form of the full one.
 */
function matchesPrismaName(actual: string, expected: { exact: string } | { table: string; columns: readonly string[]; suffix: string }): boolean {
  if ('exact' in expected) return actual === expected.exact;
  const full = [expected.table, ...expected.columns, expected.suffix].join('_');
  if (full.length <= MAX_IDENTIFIER_LENGTH) return actual === full;
  const ending = `_${expected.suffix}`;
  return actual.length <= MAX_IDENTIFIER_LENGTH && actual.endsWith(ending) && full.startsWith(actual.slice(0, -ending.length));
}

function compareTables(models: readonly Model[], db: DatabaseSnapshot): Mismatch[] {
  const expected = new Set(models.map(tableOf));
  return [
    ...models.filter((m) => !db.tables.includes(tableOf(m))).map((m) => `model ${m.name}: table "${tableOf(m)}" is missing`),
    ...db.tables.filter((t) => !expected.has(t)).map((t) => `table "${t}" exists but no model maps to it`),
  ].map((message) => ({ area: 'tables', message }));
}

function compareColumns(datamodel: Datamodel, db: DatabaseSnapshot): Mismatch[] {
  const enumDbNames = new Map(datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const found: Mismatch[] = [];
  for (const model of datamodel.models) {
    const table = tableOf(model);
    if (!db.tables.includes(table)) continue; // already reported under tables
    const columns = db.columns.filter((c) => c.table === table);
    const fields = model.fields.filter((f) => f.kind !== 'object');
    for (const field of fields) {
      const where = `${model.name}.${field.name}`;
      const column = columns.find((c) => c.column === columnOf(field));
      if (!column) {
        found.push({ area: 'columns', message: `${where}: column "${columnOf(field)}" is missing in table "${table}"` });
        continue;
      }
      const expected = expectedType(field, enumDbNames);
      if (typeof expected === 'string') {
        found.push({ area: 'columns', message: `${where}: ${expected}` });
      } else if (formatType(expected) !== formatType(actualType(column))) {
        found.push({ area: 'columns', message: `${where}: column type is ${formatType(actualType(column))}, schema expects ${formatType(expected)}` });
      }
      // List fields are NOT NULL arrays even though the schema writes no `?` (lists cannot be optional).
      const expectNullable = !field.isRequired && !field.isList;
      if (column.nullable !== expectNullable) {
        const says = expectNullable ? 'optional (?), so nullable' : 'required, so NOT NULL';
        found.push({ area: 'columns', message: `${where}: schema says ${says}, database column is ${column.nullable ? 'nullable' : 'NOT NULL'}` });
      }
      const problem = defaultMismatch(field, expectedDefault(field, datamodel.enums), column.default);
      if (problem) found.push({ area: 'defaults', message: `${where}: column "${column.column}" ${problem}` });
    }
    const known = new Set(fields.map(columnOf));
    for (const extra of columns.filter((c) => !known.has(c.column))) {
      found.push({ area: 'columns', message: `${model.name}: column "${extra.column}" exists in table "${table}" but no field maps to it` });
    }
  }
  return found;
}

function compareEnums(enums: Datamodel['enums'], db: DatabaseSnapshot): Mismatch[] {
  const found: string[] = [];
  for (const schemaEnum of enums) {
    const name = schemaEnum.dbName ?? schemaEnum.name;
    const expected = schemaEnum.values.map((v) => v.dbName ?? v.name);
    const actual = db.enums.get(name);
    if (!actual) found.push(`enum ${schemaEnum.name}: type "${name}" is missing`);
    else if (actual.join() !== expected.join()) {
      found.push(`enum ${schemaEnum.name}: database has [${actual.join(', ')}], schema has [${expected.join(', ')}] (same values, same order expected)`);
    }
  }
  const known = new Set(enums.map((e) => e.dbName ?? e.name));
  found.push(...[...db.enums.keys()].filter((n) => !known.has(n)).map((n) => `enum type "${n}" exists but is not in the schema`));
  return found.map((message) => ({ area: 'enums', message }));
}

/** One index as both sides describe it, so expected and actual compare as strings. */
function indexSignature(table: string, kind: 'PRIMARY KEY' | 'UNIQUE' | 'INDEX', columns: readonly string[], method: string, partial: boolean): string {
  const using = method === 'btree' ? '' : ` USING ${method}`;
  return `${table}: ${kind}${using} on ${list(columns)}${partial ? ' WHERE …' : ''}`;
}

function actualSignature(index: DbIndex): string {
  const kind = index.primary ? 'PRIMARY KEY' : index.unique ? 'UNIQUE' : 'INDEX';
  return indexSignature(index.table, kind, index.columns, index.method, index.partial);
}

function describeSchemaIndex(index: SchemaIndex): string {
  const kinds: Record<SchemaIndex['type'], string> = { id: 'id', unique: 'unique', normal: 'index', fulltext: 'fulltext' };
  return `${index.isDefinedOnField ? '@' : '@@'}${kinds[index.type]}(${index.fields.map((f) => f.name).join(', ')})`;
}

function compareIndexes(datamodel: Datamodel, db: DatabaseSnapshot): Mismatch[] {
  const found: string[] = [];
  // Indexes not yet matched by a schema index; whatever remains at the end is extra. Indexes of
  // tables no model maps to are left out: the table itself is reported under tables.
  const modelTables = new Set(datamodel.models.map(tableOf));
  const unmatched = db.indexes.filter((i) => modelTables.has(i.table));
  for (const index of datamodel.indexes) {
    const model = datamodel.models.find((m) => m.name === index.model);
    if (!model || !db.tables.includes(tableOf(model))) continue; // reported under tables
    if (index.type === 'fulltext') {
      found.push(`${model.name}: ${describeSchemaIndex(index)} is not supported on PostgreSQL`);
      continue;
    }
    const table = tableOf(model);
    const columns = columnNames(model, index.fields.map((f) => f.name));
    const keyColumns = columns.map((c, i) => (index.fields[i]?.sortOrder === 'desc' ? `${c} DESC` : c));
    const kind = index.type === 'id' ? 'PRIMARY KEY' : index.type === 'unique' ? 'UNIQUE' : 'INDEX';
    const signature = indexSignature(table, kind, keyColumns, (index.algorithm ?? 'btree').toLowerCase(), false);
    const at = unmatched.findIndex((i) => actualSignature(i) === signature);
    const match = unmatched[at];
    if (!match) {
      found.push(`${signature} is missing (${describeSchemaIndex(index)} of model ${model.name})`);
      continue;
    }
    unmatched.splice(at, 1);
    // A name other than Prisma's would make the next generated migration rename the index.
    const suffix = index.type === 'id' ? 'pkey' : index.type === 'unique' ? 'key' : 'idx';
    const expectedName = index.dbName ? { exact: index.dbName } : index.type === 'id' ? { exact: `${table}_pkey` } : { table, columns, suffix };
    if (!matchesPrismaName(match.name, expectedName)) {
      const shown = 'exact' in expectedName ? expectedName.exact : [table, ...columns, suffix].join('_');
      found.push(`${signature} is named "${match.name}", Prisma names it "${shown}"`);
    }
  }
  found.push(...unmatched.filter((i) => !DATABASE_ONLY_INDEXES.has(i.name)).map((i) => `${actualSignature(i)} ("${i.name}") exists but is not in the schema`));
  return found.map((message) => ({ area: 'indexes', message }));
}

function compareForeignKeys(models: readonly Model[], db: DatabaseSnapshot): Mismatch[] {
  const found: string[] = [];
  const unmatched = [...db.foreignKeys];
  const describe = (fk: Pick<DbForeignKey, 'table' | 'columns' | 'refTable' | 'refColumns'>): string =>
    `${fk.table} ${list(fk.columns)} → ${fk.refTable} ${list(fk.refColumns)}`;
  for (const model of models) {
    for (const field of model.fields) {
      const fromFields = field.relationFromFields ?? [];
      const target = models.find((m) => m.name === field.type);
      if (field.kind !== 'object' || fromFields.length === 0 || !target) continue;
      const expected = {
        table: tableOf(model),
        columns: columnNames(model, fromFields),
        refTable: tableOf(target),
        refColumns: columnNames(target, field.relationToFields ?? []),
      };
      const at = unmatched.findIndex((fk) => describe(fk) === describe(expected));
      const match = unmatched[at];
      const where = `${model.name}.${field.name}`;
      if (!match) {
        found.push(`${where}: foreign key ${describe(expected)} is missing`);
        continue;
      }
      unmatched.splice(at, 1);
      // Prisma's defaults: optional relations set null, required ones restrict; updates cascade.
      const onDelete = field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull');
      const onUpdate = field.relationOnUpdate ?? 'Cascade';
      if (match.onDelete !== onDelete) found.push(`${where}: foreign key "${match.name}" is ON DELETE ${match.onDelete}, schema expects ${onDelete}`);
      if (match.onUpdate !== onUpdate) found.push(`${where}: foreign key "${match.name}" is ON UPDATE ${match.onUpdate}, schema expects ${onUpdate}`);
      // Names are not compared: the DMMF does not expose @relation(map: …), so a custom name
      // could not be told from a wrong one.
    }
  }
  found.push(...unmatched.map((fk) => `foreign key "${fk.name}" ${describe(fk)} exists but no relation in the schema declares it`));
  return found.map((message) => ({ area: 'foreign keys', message }));
}

/** Every difference between a Prisma schema and a migrated database. */
async function compareSchemaToDatabase(schema: string, db: DatabaseSnapshot): Promise<Mismatch[]> {
  const { datamodel } = await getDMMF({ datamodel: schema });
  return [
    ...compareTables(datamodel.models, db),
    ...compareColumns(datamodel, db),
    ...compareEnums(datamodel.enums, db),
    ...compareIndexes(datamodel, db),
    ...compareForeignKeys(datamodel.models, db),
  ];
}

// ---------------------------------------------------------------------------------------------
// The tests.

const database = await createTestDatabase();
after(() => database.drop());
const snapshot = await readDatabase(database.url);

const AREAS: readonly Area[] = ['tables', 'columns', 'defaults', 'enums', 'indexes', 'foreign keys'];

test('the migrated database matches schema.prisma', async (t) => {
  const mismatches = await compareSchemaToDatabase(SCHEMA, snapshot);
  for (const area of AREAS) {
    await t.test(area, () => {
      const messages = mismatches.filter((m) => m.area === area).map((m) => m.message);
      assert.deepEqual(messages, [], `schema.prisma and prisma/migrations disagree on ${area}:\n  - ${messages.join('\n  - ')}`);
    });
  }
});

test('every model with a clinicId is tenant-scoped in prisma/tenant-models.ts', async () => {
  const { models } = (await getDMMF({ datamodel: SCHEMA })).datamodel;
  const scoped = new Map<string, string | undefined>(Object.entries(TENANT_SCOPE_FIELD));
  const withClinicId = models.filter((m) => m.fields.some((f) => f.name === 'clinicId')).map((m) => m.name);

  assert.deepEqual(
    withClinicId.filter((name) => scoped.get(name) !== 'clinicId'),
    [],
    'models with a clinicId field must be in TENANT_SCOPE_FIELD with "clinicId", or their queries are not scoped to a clinic',
  );
  assert.equal(scoped.get('Clinic'), 'id', 'Clinic is scoped by its own id');
  assert.deepEqual(
    [...scoped.keys()].filter((name) => !models.some((m) => m.name === name)),
    [],
    'TENANT_SCOPE_FIELD names models that do not exist',
  );
  assert.deepEqual(
    [...scoped].filter(([name, scopeField]) => !models.find((m) => m.name === name)?.fields.some((f) => f.name === scopeField)),
    [],
    'TENANT_SCOPE_FIELD names fields its models do not have',
  );
});

/** The schema text with `edit` applied to one model's body only (a model ends at a `}` line). */
function editModel(schema: string, model: string, edit: (body: string) => string): string {
  const block = new RegExp(`(\\nmodel ${model} \\{\\n)([\\s\\S]*?)(\\n\\}\\n)`);
  assert.ok(block.test(schema), `schema.prisma has no model ${model}`);
  const edited = schema.replace(block, (_all, head: string, body: string, tail: string) => `${head}${edit(body)}${tail}`);
  // assert.ok, not notEqual: a failure should not print the whole schema twice.
  assert.ok(edited !== schema, `the edit of model ${model} changed nothing: fix this test's edit`);
  return edited;
}

interface DriftCase {
  name: string;
  model: string;
  edit: (body: string) => string;
  expected: Mismatch[];
}

const DRIFT_CASES: readonly DriftCase[] = [
  {
    name: 'an optional field made required',
    model: 'StaffUser',
    edit: (body) => body.replace(/^(\s+phone\s+)String\?/m, '$1String'),
    expected: [{ area: 'columns', message: 'StaffUser.phone: schema says required, so NOT NULL, database column is nullable' }],
  },
  {
    name: 'a field without a column',
    model: 'Patient',
    edit: (body) => `${body}\n  nickname String?`,
    expected: [{ area: 'columns', message: 'Patient.nickname: column "nickname" is missing in table "Patient"' }],
  },
  {
    name: 'an index the schema no longer declares',
    model: 'Clinic',
    edit: (body) => body.replace(/^\s+@@index\(\[subscriptionStatus\]\)$/m, ''),
    expected: [
      { area: 'indexes', message: 'Clinic: INDEX on ("subscriptionStatus") ("Clinic_subscriptionStatus_idx") exists but is not in the schema' },
    ],
  },
  {
    name: 'another referential action',
    model: 'Patient',
    edit: (body) => body.replace('references: [id])', 'references: [id], onDelete: Cascade)'),
    expected: [{ area: 'foreign keys', message: 'Patient.clinic: foreign key "Patient_clinicId_fkey" is ON DELETE Restrict, schema expects Cascade' }],
  },
  {
    name: 'another default',
    model: 'LicenseTier',
    edit: (body) => body.replace('@default("USD")', '@default("EUR")'),
    expected: [{ area: 'defaults', message: 'LicenseTier.currency: column "currency" has DEFAULT \'USD\'::text, expected the value "EUR"' }],
  },
];

test('the checker itself reports drift between the schema and the database', async (t) => {
  for (const c of DRIFT_CASES) {
    await t.test(c.name, async () => {
      const schema = editModel(SCHEMA, c.model, c.edit);
      assert.deepEqual(await compareSchemaToDatabase(schema, snapshot), c.expected);
    });
  }
});
