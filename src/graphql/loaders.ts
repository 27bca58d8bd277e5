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

/** Loads all children of many parents (e.g. lines of orders), one SELECT per tick. */
export function childrenLoader<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  spec: TableSpec & { parentColumn: string; orderBy: string[] },
): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const qb = db
      .scoped(
        db
          .knex()(`${spec.table} as t`)
          .select('t.*')
          .where((qb) => whereUuidIn(qb, `t.${spec.parentColumn}`, parentIds)),
        spec.tenant,
      )
      .orderBy(spec.orderBy.map((column) => `t.${column}`));
    const rows = await db.read((run) => run(qb));
    const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) byParent.get(row[spec.parentColumn] as string)?.push(db.map(entity, row));
    return parentIds.map((id) => byParent.get(id)!);
  });
}
