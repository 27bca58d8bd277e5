import type { Knex } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { whereUuidIn } from '../db/sql';
import {
  idSlots,
  idsOf,
  type ReadStatement,
  scopedAs,
  templated,
  tenantKindOf,
  tenantSlots,
} from '../db/read-statements';
import { columnsKey, type FieldReads, type StoredRelation, type TenantDb } from '../db/tenant-db';
import type { Loaders } from '../db/session';
import type { TableSpec } from './connection';

type Class<T> = new (...args: never[]) => T;

/**
 * How each loader of a module's set is made, from the request's database, its other loaders and the
 * set itself (`own`, typed by the maker that reads it: `never` here lets each declare what it reads).
 */
export type LoaderMakers = Record<string, (db: TenantDb, loaders: Loaders, own: never) => unknown>;

/** A module's loaders for one request, as `loaderSet` makes them. */
export type LoaderSet<M extends LoaderMakers> = { readonly [K in keyof M]: ReturnType<M[K]> };

/**
 * A module's per-request loaders, each made the first time the request uses it: a dashboard touches
 * two or three loaders of a module's five to nine, and each DataLoader is a handful of objects more to
 * allocate and collect per request. One class per module, its getters on the prototype, so every
 * request's set has the same shape and the makers close over nothing of a request.
 */
export function loaderSet<M extends LoaderMakers>(makers: M): (db: TenantDb, loaders: Loaders) => LoaderSet<M> {
  const names = Object.keys(makers);
  class RequestLoaderSet {
    readonly made: unknown[] = names.map(() => undefined);
    constructor(
      readonly db: TenantDb,
      readonly loaders: Loaders,
    ) {}
  }
  names.forEach((name, slot) => {
    const make = makers[name];
    Object.defineProperty(RequestLoaderSet.prototype, name, {
      enumerable: true,
      get(this: RequestLoaderSet) {
        return (this.made[slot] ??= make(this.db, this.loaders, this as never));
      },
    });
  });
  return (db, loaders) => new RequestLoaderSet(db, loaders) as unknown as LoaderSet<M>;
}

/** A number per tenant condition (a module constant, where a spec may be a per-request copy), for template keys. */
const tenantConditions = new WeakMap<TableSpec['tenant'], number>();
let conditionsSeen = 0;

/**
 * A batched read of a table, written once per table, shape, tenant condition and kind of tenant
 * (platform, a merchant, nobody); the batch's keys (one uuid array) and the merchant are its parameters.
 */
export function batchRead(
  db: TenantDb,
  spec: TableSpec,
  shape: string,
  build: (qb: Knex.QueryBuilder, keys: string[]) => Knex.QueryBuilder,
  keys: readonly string[],
): ReadStatement {
  const kind = tenantKindOf(db.scope);
  let condition = tenantConditions.get(spec.tenant);
  if (condition === undefined) tenantConditions.set(spec.tenant, (condition = ++conditionsSeen));
  const ids = idSlots(keys);
  return templated(
    `batch|${spec.table}|${condition}|${kind}|${shape}|${ids.shape}`,
    (values) => scopedAs(build(db.knex()(`${spec.table} as t`), idsOf(values)), spec.tenant, kind, values.merchantId),
    { ...tenantSlots(db.scope), ...ids.values },
  );
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
    const sql = batchRead(
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
    const key = columnsKey(columns);
    let loader = loaders.get(key);
    if (!loader) loaders.set(key, (loader = byIdLoader(db, entity, spec, columns)));
    return loader;
  };
}

/**
 * The loaders of an entity whose fields are read with a projection, for a `loaderSet`: `byId` (by
 * column set), `through` (by a to-one relation of another entity) and `byFields` (by the fields a
 * selection asks, `reads` naming the columns each needs), which goes through the set's own `byId`, so
 * loads by fields and by columns share their loaders.
 */
export function projectedLoaders<T extends { id: string }>(entity: Class<T>, spec: TableSpec, reads: FieldReads) {
  return {
    byId: (db: TenantDb) => projectedByIdLoader(db, entity, spec),
    /** Through another entity's to-one relation, by that entity's ids (a field read ahead). */
    through: (db: TenantDb) => projectedThroughLoader(db, entity, spec),
    /** By id, reading the columns the fields asked need (null: all). */
    byFields:
      (db: TenantDb, _loaders: Loaders, own: { byId: ReturnType<typeof projectedByIdLoader<T>> }) =>
      (fields: ReadonlySet<string> | null) =>
        own.byId(db.columnsFor(entity, fields, reads)),
  };
}

/** A row known by its id alone, and which of its to-one relations leads to the row wanted. */
export interface RelationOf {
  entity: Class<object>;
  property: string;
  id: string;
}

/**
 * Loads the rows a to-one relation of other rows points at, by those rows' ids, reading `columns` (or
 * all). A field read ahead knows its parent's id but not the key its parent's row holds: it reads
 * through the parent's table, in the same message as the parent's own row. The tenant condition is
 * this table's, and row-level security filters both.
 */
export function projectedThroughLoader<T extends { id: string }>(
  db: TenantDb,
  entity: Class<T>,
  spec: TableSpec,
): (via: StoredRelation, columns: readonly string[] | null) => DataLoader<string, T | null> {
  const loaders = new Map<string, DataLoader<string, T | null>>();
  return (via, columns) => {
    const key = `${via.table}.${via.column}|${columnsKey(columns)}`;
    let loader = loaders.get(key);
    if (!loader) {
      const selected = columns ? columns.map((column) => `t.${column}`) : ['t.*'];
      loader = new DataLoader(async (ids) => {
        const sql = batchRead(
          db,
          spec,
          `through|${key}`,
          (qb, keys) =>
            qb
              .select(...selected, 'via.id as via_id')
              .join(`${via.table} as via`, `via.${via.column}`, 't.id')
              .where((qb) => whereUuidIn(qb, 'via.id', keys)),
          ids,
        );
        const rows = await db.read((run) => run(sql));
        const byVia = new Map(rows.map((row) => [row.via_id as string, db.map(entity, row)]));
        return ids.map((id) => byVia.get(id) ?? null);
      });
      loaders.set(key, loader);
    }
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
  const sql = batchRead(
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
