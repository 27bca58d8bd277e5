import type { Knex } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { escapeLiteral } from 'pg';
import { whereUuidIn } from '../db/sql';
import type { TenantDb } from '../db/tenant-db';
import type { TableSpec } from './connection';

type Class<T> = new (...args: never[]) => T;

/** Stand-ins knex writes into a statement's text where a batch's keys and the tenant's merchant go. */
const KEYS_SLOT = `'{00000000-0000-4000-8000-0000000005e7}'`;
const MERCHANT_SLOT = `'00000000-0000-4000-8000-00000000057e'`;

/** By tenant condition (a module constant, where a spec may be a per-request copy), then table and shape. */
const templates = new WeakMap<TableSpec['tenant'], Map<string, string[]>>();

/**
 * A batched read's SQL text, built by knex once per table, shape and kind of tenant (platform, a
 * merchant, nobody) with stand-ins, then filled in per batch with the keys as one uuid array and the
 * merchant's id, both escaped as literals: a batch costs a string join instead of a query builder.
 */
function batchSql(
  db: TenantDb,
  spec: TableSpec,
  shape: string,
  build: (qb: Knex.QueryBuilder, keys: string[]) => Knex.QueryBuilder,
  keys: readonly string[],
): string {
  const { platform, merchantId } = db.scope;
  const kind = platform ? 'platform' : merchantId ? 'merchant' : 'nobody';
  let byShape = templates.get(spec.tenant);
  if (!byShape) templates.set(spec.tenant, (byShape = new Map()));
  const key = `${spec.table}|${kind}|${shape}`;
  let parts = byShape.get(key);
  if (!parts) {
    const qb = build(db.knex()(`${spec.table} as t`), [KEYS_SLOT.slice(2, -2)]);
    if (kind === 'nobody') qb.whereRaw('false');
    else if (kind === 'merchant') spec.tenant(qb, MERCHANT_SLOT.slice(1, -1));
    parts = qb.toQuery().split(KEYS_SLOT);
    if (parts.length !== 2) throw new Error(`a batched read of ${spec.table} must name its keys once`);
    byShape.set(key, parts);
  }
  const filled =
    merchantId && !platform ? parts.map((part) => part.replaceAll(MERCHANT_SLOT, escapeLiteral(merchantId))) : parts;
  return filled.join(escapeLiteral(`{${keys.join(',')}}`));
}

/**
 * Loads entities by primary key, one SELECT ... WHERE id = any(...) per tick, reading `columns` (the
 * id among them) or every column. Loaders are created per request with the request's tenant, so a
 * batch never mixes merchants.
 */
export function byIdLoader<T extends { id: string }>(
  db: TenantDb,
  entity: Class<T>,
  spec: TableSpec,
  columns: readonly string[] | null = null,
): DataLoader<string, T | null> {
  const selected = columns ? columns.map((column) => `t.${column}`) : ['t.*'];
  return new DataLoader(async (ids) => {
    const sql = batchSql(
      db,
      spec,
      `by id|${selected.join(',')}`,
      (qb, keys) => qb.select(...selected).where((qb) => whereUuidIn(qb, 't.id', keys)),
      ids,
    );
    const rows = await db.read((run) => run(sql));
    const byId = new Map(rows.map((row) => [row.id as string, db.map(entity, row)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/**
 * By-id loaders per set of columns (`TenantDb.columnsFor`; null: all), each made on first use: the
 * loads of one tick with equal columns share a SELECT, and the SELECTs of a tick share a message.
 */
export function projectedByIdLoader<T extends { id: string }>(
  db: TenantDb,
  entity: Class<T>,
  spec: TableSpec,
): (columns: readonly string[] | null) => DataLoader<string, T | null> {
  const loaders = new Map<string, DataLoader<string, T | null>>();
  return (columns) => {
    const key = columns?.join(',') ?? '*';
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = byIdLoader(db, entity, spec, columns)));
    return loader;
  };
}

type ChildrenSpec = TableSpec & { parentColumn: string; orderBy: string[] };

async function childrenOf<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  spec: ChildrenSpec,
  parentIds: readonly string[],
  columns: readonly string[] | null,
): Promise<T[][]> {
  const selected = columns
    ? [...new Set([...columns, 'id', spec.parentColumn, ...spec.orderBy])].map((column) => `t.${column}`)
    : ['t.*'];
  const sql = batchSql(
    db,
    spec,
    `${spec.parentColumn}|${spec.orderBy.join(',')}|${selected.join(',')}`,
    (qb, keys) =>
      qb
        .select(...selected)
        .where((qb) => whereUuidIn(qb, `t.${spec.parentColumn}`, keys))
        .orderBy(spec.orderBy.map((column) => `t.${column}`)),
    parentIds,
  );
  const rows = await db.read((run) => run(sql));
  const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) byParent.get(row[spec.parentColumn] as string)?.push(db.map(entity, row));
  return parentIds.map((id) => byParent.get(id)!);
}

/** Loads all children of many parents (e.g. status changes of orders), one SELECT per tick. */
export function childrenLoader<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  spec: ChildrenSpec,
): DataLoader<string, T[]> {
  return new DataLoader((parentIds) => childrenOf(db, entity, spec, parentIds, null));
}

/** What a projected children load asks: the parent, and the columns the selection needs (null: all). */
export interface ChildrenKey {
  parentId: string;
  columns: readonly string[] | null;
}

/**
 * The same, reading only the columns each load asks for (plus the id, the parent key and the order
 * columns): loads with equal columns share one SELECT.
 */
export function projectedChildrenLoader<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  spec: ChildrenSpec,
): DataLoader<ChildrenKey, T[], string> {
  const columnsKey = (columns: readonly string[] | null) => columns?.join(',') ?? '*';
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, ChildrenKey[]>();
      for (const key of keys) {
        const group = groups.get(columnsKey(key.columns));
        if (group) group.push(key);
        else groups.set(columnsKey(key.columns), [key]);
      }
      const loaded = new Map<ChildrenKey, T[]>();
      for (const group of groups.values()) {
        const children = await childrenOf(
          db,
          entity,
          spec,
          group.map((key) => key.parentId),
          group[0].columns,
        );
        group.forEach((key, i) => loaded.set(key, children[i]));
      }
      return keys.map((key) => loaded.get(key)!);
    },
    { cacheKeyFn: (key) => `${key.parentId}|${columnsKey(key.columns)}` },
  );
}
