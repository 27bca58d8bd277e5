import DataLoader from 'dataloader';
import { whereUuidIn } from '../db/sql';
import type { TenantDb } from '../db/tenant-db';
import type { TableSpec } from './connection';

type Class<T> = new (...args: never[]) => T;

/**
 * Loads entities by primary key, one SELECT ... WHERE id IN (...) per tick. Loaders are created per
 * request with the request's tenant, so a batch never mixes merchants.
 */
export function byIdLoader<T extends { id: string }>(
  db: TenantDb,
  entity: Class<T>,
  spec: TableSpec,
): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const qb = db.scoped(
      db
        .knex()(`${spec.table} as t`)
        .select('t.*')
        .where((qb) => whereUuidIn(qb, 't.id', ids)),
      spec.tenant,
    );
    const rows = await db.read((run) => run(qb));
    const byId = new Map(rows.map((row) => [row.id as string, db.map(entity, row)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
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
  const qb = db
    .scoped(
      db
        .knex()(`${spec.table} as t`)
        .select(...selected)
        .where((qb) => whereUuidIn(qb, `t.${spec.parentColumn}`, parentIds)),
      spec.tenant,
    )
    .orderBy(spec.orderBy.map((column) => `t.${column}`));
  const rows = await db.read((run) => run(qb));
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
