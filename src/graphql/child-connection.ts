import type { Knex } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { columnsKey, type Row, type TenantDb } from '../db/tenant-db';
import { keyable, scopedAs, type SlotValues, templated, tenantKindOf, tenantSlots } from '../db/read-statements';
import {
  type Class,
  cursorSlots,
  filterShapeOf,
  NO_PAGE,
  Page,
  type PageArgs,
  type PageWindow,
  type SortSpec,
  type TableSpec,
  orderBy,
  readingOrder,
  toPage,
  type WhereClause,
  windowOf,
  windowQuery,
  windowWith,
  shapeKey,
} from './connection';

/*
 * Child connections (`merchant.orders(...)`): the same page for many parents in one statement, their
 * counts in one GROUP BY, batched by DataLoader per arguments and columns.
 */

/**
 * The same page of a child connection for many parents at once (e.g. `orders` of 50 merchants): one
 * SELECT whatever the number of parents.
 */
async function paginateByParent<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  options: ChildConnectionSpec & {
    parentIds: readonly string[];
    where: WhereClause;
    window: PageWindow;
    alongside?: Alongside;
  },
  countFor: (parentId: string) => Promise<number>,
): Promise<Map<string, Page<T>>> {
  const { table, tenant, parentColumn, parentIds, where, window, alongside } = options;
  const knex = db.knex();
  const kind = tenantKindOf(db.scope);
  // Each parent's page is an index range scan of its own (`limit size + 1`), instead of numbering
  // every child row of every parent with row_number() and keeping the first few. One parent's page
  // (a dashboard's) is that scan alone: PostgreSQL estimates `unnest` of a parameter at a hundred
  // rows, so it would plan the prepared statement afresh on every call rather than reuse its plan.
  const one = parentIds.length === 1;
  const build = (values: SlotValues) => {
    const base = () => {
      const qb = scopedAs(knex(`${table} as t`), tenant, kind, values.merchantId);
      if (one) qb.whereRaw('?? = ?::uuid', [`t.${parentColumn}`, values.parentId!]);
      else qb.whereRaw('?? = p.__parent', [`t.${parentColumn}`]);
      where(qb);
      return qb;
    };
    if (one) return windowQuery(knex, base, windowWith(window, values), parentColumn);
    const qb = knex
      .select('c.*')
      .from(knex.raw('unnest(?::uuid[]) with ordinality as p(__parent, __ord)', [values.parentIds!]))
      .joinRaw('cross join lateral (?) as c', [
        windowQuery(knex, base, windowWith(window, values), parentColumn) as unknown as Knex.Raw,
      ])
      .orderBy([{ column: 'p.__ord' }, { column: 'c.__peek' }]);
    return orderBy(qb, 'c', window.sort.column, readingOrder(window));
  };
  const pageKey = shapeKey(options.shape, kind, window, parentColumn, one ? 'child' : 'children');
  const values = {
    ...tenantSlots(db.scope),
    ...cursorSlots(window),
    ...(one ? { parentId: parentIds[0] } : { parentIds: `{${parentIds.join(',')}}` }),
  };
  const sql = templated(pageKey, build, values);
  // Sent in the same turn, so in the same message: PostgreSQL runs the page's scan twice, which costs
  // it less than a message costs both sides.
  const along =
    alongside &&
    db.read((run) =>
      run(
        templated(
          pageKey && `${pageKey}|along|${alongside.name}`,
          (slots) =>
            scopedAs(knex(`${alongside.spec.table} as t`), alongside.spec.tenant, kind, slots.merchantId)
              .select(alongside.columns ? alongside.columns.map((column) => `t.${column}`) : ['t.*'])
              .whereIn('t.id', knex.select(`c.${alongside.key}`).from(build(slots).as('c'))),
          values,
        ),
      ),
    );
  const [rows, related] = await Promise.all([db.read((run) => run(sql)), along]);
  if (alongside && related) alongside.receive(related);
  const byParent = new Map<string, Row[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) byParent.get(row[parentColumn] as string)?.push(row);
  return new Map(
    [...byParent].map(([parentId, parentRows]) => [
      parentId,
      toPage(db, entity, parentRows, window, () => countFor(parentId)),
    ]),
  );
}

/** Counts of a child table per parent in one GROUP BY, for `totalCount` of batched child connections. */
async function countByParent(
  db: TenantDb,
  options: ChildConnectionSpec & { parentIds: readonly string[]; where: WhereClause; args: unknown },
): Promise<Map<string, number>> {
  const { table, tenant, parentColumn, parentIds, where } = options;
  const { filter, filterShape, filterIds } = filterShapeOf(options.args);
  const kind = tenantKindOf(db.scope);
  const build = (values: SlotValues) => {
    const qb = scopedAs(db.knex()(`${table} as t`), tenant, kind, values.merchantId)
      .select(`t.${parentColumn} as parent`)
      .count({ count: '*' })
      .groupBy(`t.${parentColumn}`);
    qb.whereRaw('?? = any(?::uuid[])', [`t.${parentColumn}`, values.parentIds!]);
    where(qb);
    return qb;
  };
  const key = keyable(filter) ? [options.shape, kind, parentColumn, filterShape, 'count'].join('|') : null;
  const sql = templated(key, build, {
    ...tenantSlots(db.scope),
    parentIds: `{${parentIds.join(',')}}`,
    filterIds,
  });
  const rows = await db.read((run) => run(sql));
  return new Map(rows.map((row) => [row.parent as string, Number(row.count)]));
}

export interface ChildConnectionSpec extends TableSpec {
  parentColumn: string;
  /** The connection's name (`module.field`): with the arguments, it fixes the statements' text. */
  shape: string;
}

/**
 * The rows of another table a page's rows point at (each order's buyer), read in the page's own
 * message by a statement that takes their keys from the page's statement, instead of in a message of
 * their own once the page is back. The table's owner says what to read and receives the rows.
 */
export interface Alongside {
  /** The page's column that holds the wanted rows' ids. */
  key: string;
  spec: TableSpec;
  /** The columns to read (all when null). */
  columns: readonly string[] | null;
  /** What is read, for the statement's shape and for batching: equal only for equal reads. */
  name: string;
  receive: (rows: Row[]) => void;
}

/** What a child connection field was asked for; keys with equal arguments are batched together. */
export interface ChildConnectionKey<Args extends PageArgs> {
  parentId: string;
  args: Args;
  /** The columns the selection needs; all when absent. Keys batch together only with equal columns. */
  columns?: readonly string[] | null;
  /** Only `totalCount` is asked: no page of rows is read. */
  countOnly?: boolean;
  /** `totalCount` is asked beside the page: the count is read in the page's message. */
  countNow?: boolean;
  alongside?: Alongside;
}

type Asked = { args: unknown; columns?: readonly string[] | null; countOnly?: boolean; alongside?: Alongside };

/** What a key asks besides its parent: the arguments, the columns, whether rows are read at all. */
const askedOf = (key: Asked) =>
  `${JSON.stringify(key.args)}|${columnsKey(key.columns ?? null)}|${key.countOnly ? 'count' : ''}|${key.alongside?.name ?? ''}`;

/** The keys of a batch grouped by what they ask; each group is one statement. */
function groupByArgs<K extends Asked>(keys: readonly K[]): K[][] {
  const groups = new Map<string, K[]>();
  for (const key of keys) {
    const asked = askedOf(key);
    const group = groups.get(asked);
    if (group) group.push(key);
    else groups.set(asked, [key]);
  }
  return [...groups.values()];
}

const childKey = (key: ChildConnectionKey<PageArgs>) => `${key.parentId}|${askedOf(key)}`;

/**
 * A DataLoader for a child connection (`merchant.orders(...)`): all parents asked with the same
 * arguments share one SELECT, and their `totalCount`s share one GROUP BY.
 */
export function childConnectionLoader<T extends object, Args extends PageArgs>(
  db: TenantDb,
  entity: Class<T>,
  spec: ChildConnectionSpec & { where: (args: Args) => WhereClause; sort: (args: Args) => SortSpec },
): DataLoader<ChildConnectionKey<Args>, Page<T>, string> {
  const counts = new DataLoader<ChildConnectionKey<Args>, number, string>(
    async (keys) => {
      // By key object: a batch holds one key per cache key, so its text is not worked out again.
      const result = new Map<ChildConnectionKey<Args>, number>();
      for (const group of groupByArgs(keys)) {
        const counted = await countByParent(db, {
          ...spec,
          parentIds: group.map((k) => k.parentId),
          where: spec.where(group[0].args),
          args: group[0].args,
        });
        for (const key of group) result.set(key, counted.get(key.parentId) ?? 0);
      }
      return keys.map((key) => result.get(key)!);
    },
    { cacheKeyFn: childKey },
  );
  return new DataLoader<ChildConnectionKey<Args>, Page<T>, string>(
    async (keys) => {
      for (const key of keys) {
        // Loaded in this turn, so the counts' GROUP BY joins the pages' message; the page's
        // `totalCount` gets the same count from the loader's cache.
        if (key.countNow) counts.load({ parentId: key.parentId, args: key.args }).catch(() => {});
      }
      const result = new Map<ChildConnectionKey<Args>, Page<T>>();
      for (const group of groupByArgs(keys)) {
        const args = group[0].args;
        if (group[0].countOnly) {
          // The paging arguments are still checked: a bad cursor is refused as on a page.
          windowOf(args, spec.sort(args), args);
          for (const key of group) {
            // Its count is what was asked, so it is read now, in this level's message (a count read
            // ahead with its parent goes with the parent's own row), not when the executor gets to it.
            const count = counts.load({ parentId: key.parentId, args });
            count.catch(() => {}); // reported where totalCount is read; a discarded read ahead is never read
            result.set(key, new Page<T>([], NO_PAGE, () => count));
          }
          continue;
        }
        const pages = await paginateByParent(
          db,
          entity,
          {
            ...spec,
            parentIds: group.map((k) => k.parentId),
            where: spec.where(args),
            window: windowOf(args, spec.sort(args), args, group[0].columns),
            alongside: group[0].alongside,
          },
          (parentId) => counts.load({ parentId, args }),
        );
        for (const key of group) result.set(key, pages.get(key.parentId)!);
      }
      return keys.map((key) => result.get(key)!);
    },
    { cacheKeyFn: childKey },
  );
}
