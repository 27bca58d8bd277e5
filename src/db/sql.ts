import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { literal, type Param, preparedShape, type ReadStatement } from './read-statements';
import type { Row } from './tenant-db';

/**
 * Runs a knex query or raw SQL inside the EntityManager's current transaction (and so under its
 * tenant), counted by the statement logger like any MikroORM query.
 */
export function sqlRows(em: EntityManager, query: Knex.QueryBuilder | string): Promise<Row[]> {
  return em.getConnection().execute(query, [], 'all', em.getTransactionContext(), em.getLoggerContext()) as Promise<
    Row[]
  >;
}

export async function sqlFirst(em: EntityManager, query: Knex.QueryBuilder | string): Promise<Row | undefined> {
  return (await sqlRows(em, query))[0];
}

export async function sqlRun(em: EntityManager, query: Knex.QueryBuilder | string): Promise<void> {
  await em.getConnection().execute(query, [], 'run', em.getTransactionContext(), em.getLoggerContext());
}

/**
 * `column = any('{…}'::uuid[])`: many ids as one array value instead of a list of literals, which
 * PostgreSQL plans in a fraction of the time for the thousand keys of a batched read. One id is
 * `column = id`, which it plans and runs faster still.
 */
export function whereUuidIn(qb: Knex.QueryBuilder, column: string, ids: readonly string[]): Knex.QueryBuilder {
  if (ids.length === 1) return qb.whereRaw('?? = ?::uuid', [column, ids[0]]);
  return qb.whereRaw('?? = any(?::uuid[])', [column, `{${ids.join(',')}}`]);
}

/** Texts as one PostgreSQL array text, `{"…","…"}`, quoted for its syntax (a `text[]` value or parameter). */
export const textArray = (values: readonly string[]): string =>
  `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** `column = any('{"…"}'::text[])`: texts as one array value. */
export function whereTextIn(qb: Knex.QueryBuilder, column: string, values: readonly string[]): Knex.QueryBuilder {
  return qb.whereRaw('?? = any(?::text[])', [column, textArray(values)]);
}

/** A value as an SQL literal for a column of its own type (the column gives the literal its type). */
function sqlValue(value: unknown): string {
  if (value === undefined) return 'default';
  if (value === null) return 'null';
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return literal(value);
  throw new Error(`no SQL literal for ${typeof value}`);
}

/**
 * An INSERT of rows given by the entity's property names (a relation by its key), as literals — what
 * MikroORM's query builder writes, without building a query per statement (a tenth of a payout's CPU).
 * A property a row lacks takes the column's default.
 */
export function insertStatement(
  em: EntityManager,
  entity: new (...args: never[]) => object,
  rows: readonly Record<string, unknown>[],
): string {
  const meta = em.getMetadata().get(entity.name);
  const properties = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const columns = properties.map((property) => {
    const column = meta.properties[property]?.fieldNames?.[0];
    if (!column) throw new Error(`${entity.name} has no column for ${property}`);
    return `"${column}"`;
  });
  const values = rows.map((row) => `(${properties.map((property) => sqlValue(row[property])).join(', ')})`);
  return `insert into "${meta.tableName}" (${columns.join(', ')}) values ${values.join(', ')}`;
}

/** A value as a prepared statement's parameter: its text, which the parameter's cast reads. */
function paramOf(value: unknown): Param {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'string') return String(value);
  throw new Error(`no SQL parameter for ${typeof value}`);
}

/**
 * Inserts of more rows are not prepared: a batch's planning is small beside its rows, each row count
 * would be a statement of its own on every connection, and a thousand rows of sixteen columns come
 * near PostgreSQL's limit of 65,535 parameters.
 */
const MAX_PREPARED_ROWS = 16;

/**
 * An INSERT of rows (as `insertStatement` takes them) as part of a prepared statement: the shape (its
 * key), its text with its parameters numbered from `first`, each cast to its column's type, and the
 * rows' values in that order. Null when a row lacks a property another has (that one takes the
 * column's default, which a parameter cannot say) or there are many rows: `insertStatement` writes those.
 */
export function insertShape(
  em: EntityManager,
  entity: new (...args: never[]) => object,
  rows: readonly Record<string, unknown>[],
): { key: string; text: (first: number) => string; params: Param[] } | null {
  const meta = em.getMetadata().get(entity.name);
  const properties = Object.keys(rows[0] ?? {});
  if (!rows.length || rows.length > MAX_PREPARED_ROWS) return null;
  if (rows.some((row) => properties.some((property) => row[property] === undefined))) return null;
  if (rows.some((row) => Object.keys(row).length !== properties.length)) return null;
  const columns = properties.map((property) => {
    const prop = meta.properties[property];
    const column = prop?.fieldNames?.[0];
    const type = prop?.columnTypes?.[0];
    if (!column || !type) throw new Error(`${entity.name} has no column for ${property}`);
    return { name: `"${column}"`, type };
  });
  return {
    key: `${meta.tableName}(${properties.join(',')})x${rows.length}`,
    text: (first) => {
      let n = first;
      const values = rows.map(() => `(${columns.map(({ type }) => `$${n++}::${type}`).join(', ')})`);
      return `insert into "${meta.tableName}" (${columns.map(({ name }) => name).join(', ')}) values ${values.join(', ')}`;
    },
    params: rows.flatMap((row) => properties.map((property) => paramOf(row[property]))),
  };
}

/** `insertStatement`, prepared once per shape (see `insertShape`) where the rows allow. */
export function preparedInsert(
  em: EntityManager,
  entity: new (...args: never[]) => object,
  rows: readonly Record<string, unknown>[],
): ReadStatement {
  const shape = insertShape(em, entity, rows);
  if (!shape) return insertStatement(em, entity, rows);
  return preparedShape(`insert|${shape.key}`, () => shape.text(1))(...shape.params);
}
