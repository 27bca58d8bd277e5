import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';

type Class<T> = new (...args: never[]) => T;

/** Loads entities by primary key, one SELECT ... WHERE id IN (...) per tick. */
export function byIdLoader<T extends { id: string }>(em: EntityManager, entity: Class<T>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const found = await em.find(entity as Class<{ id: string }>, { id: { $in: [...ids] } });
    const byId = new Map(found.map((row) => [row.id, row as T]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Loads all children of many parents (e.g. lines of orders), one SELECT per tick. */
export function childrenLoader<T extends object>(
  em: EntityManager,
  entity: Class<T>,
  parentProperty: keyof T & string,
  orderBy: Partial<Record<keyof T & string, 'asc' | 'desc'>>,
): DataLoader<string, T[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await em.find(
      entity as Class<object>,
      { [parentProperty]: { $in: [...parentIds] } },
      { orderBy: orderBy as Record<string, 'asc' | 'desc'> },
    );
    const byParent = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of rows as T[]) {
      const parent = row[parentProperty] as { id: string };
      byParent.get(parent.id)?.push(row);
    }
    return parentIds.map((id) => byParent.get(id)!);
  });
}
