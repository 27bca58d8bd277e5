import type { Knex } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { Max, Min } from 'class-validator';
import DataLoader from 'dataloader';
import { whereUuidIn } from '../db/sql';
import type { Row, TenantDb } from '../db/tenant-db';
import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 0 to ${MAX_PAGE_SIZE}.` })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of the previous page.' })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when the page was requested with `after`.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

type Class<T> = new (...args: never[]) => T;

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType(name: string, nodeType: Class<object>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: object;
  }

  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'All items matching the filter, on every page.' })
    totalCount!: number;
  }
  return Connection;
}

/** Declares a `<Name>Sort` input: which field to order by, and the direction (default `defaultDirection`). */
export function SortInputType<F extends string>(
  name: string,
  fieldEnum: Record<string, F>,
  defaultDirection: SortDirection,
) {
  @InputType(`${name}Sort`)
  class Sort {
    @Field(() => fieldEnum)
    field!: F;

    @Field(() => SortDirection, { defaultValue: defaultDirection })
    direction!: SortDirection;
  }
  return Sort;
}

/** An edge whose cursor is encoded only if a client reads it: most pages are read without cursors. */
class RowEdge<T> {
  constructor(
    readonly node: T,
    private readonly row: Row,
    private readonly sort: SortSpec,
  ) {}

  get cursor(): string {
    return encodeCursor(this.sort, this.row);
  }
}

/** A page of results. `totalCount` is a getter, so its COUNT query runs only when a client asks for it. */
export class Page<T> {
  constructor(
    readonly edges: { cursor: string; node: T }[],
    readonly pageInfo: PageInfo,
    private readonly count: () => Promise<number>,
  ) {}

  get totalCount(): Promise<number> {
    return this.count();
  }
}

/** How a connection is ordered: a column plus the id as tie-breaker, so keyset cursors are stable. */
export interface SortSpec {
  /** Name recorded in cursors so a cursor cannot be replayed against another ordering. */
  key: string;
  column: string;
  direction: SortDirection;
}

export type WhereClause = (qb: Knex.QueryBuilder) => void;

/** The service-layer tenant condition of a table (aliased `t`), mirroring its row-level security policy. */
export type TenantCondition = (qb: Knex.QueryBuilder, merchantId: string) => void;

/** A table read through connections: its name and how a merchant's rows are told apart. */
export interface TableSpec {
  table: string;
  tenant: TenantCondition;
}

interface CursorPosition {
  value: string;
  id: string;
}

function encodeCursor(sort: SortSpec, row: Record<string, unknown>): string {
  const raw = row[sort.column];
  const value = raw instanceof Date ? raw.toISOString() : String(raw);
  return Buffer.from(JSON.stringify([sort.key, sort.direction, value, row.id]), 'utf8').toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether a cursor's value can be compared with its sort column: a time, a whole number, or text. */
function fitsColumn(column: string, value: string): boolean {
  if (column.endsWith('_at')) return /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value) && !Number.isNaN(Date.parse(value));
  if (column.endsWith('amount')) return /^-?\d{1,16}$/.test(value);
  return !value.includes('\u0000');
}

function decodeCursor(cursor: string, sort: SortSpec): CursorPosition {
  try {
    const [key, direction, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      key === sort.key &&
      direction === sort.direction &&
      typeof value === 'string' &&
      typeof id === 'string' &&
      UUID.test(id) &&
      fitsColumn(sort.column, value)
    ) {
      return { value, id };
    }
  } catch {
    // fall through to the error below
  }
  throw new GraphQLError('`after` is not a cursor of this connection with this sort order', {
    extensions: { code: 'BAD_USER_INPUT', field: 'after' },
  });
}

function applyOrderAndCursor(qb: Knex.QueryBuilder, alias: string, sort: SortSpec, after?: string | null) {
  const dir = sort.direction === SortDirection.ASC ? 'asc' : 'desc';
  if (after) {
    const position = decodeCursor(after, sort);
    const op = sort.direction === SortDirection.ASC ? '>' : '<';
    qb.whereRaw(`(??, ??) ${op} (?, ?::uuid)`, [`${alias}.${sort.column}`, `${alias}.id`, position.value, position.id]);
  }
  return dir;
}

function toPage<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  rows: Row[],
  sort: SortSpec,
  page: PageArgs,
  count: () => Promise<number>,
): Page<T> {
  const edges = rows.slice(0, page.first).map((row) => new RowEdge(db.map(entity, row), row, sort));
  return new Page(
    edges,
    {
      hasNextPage: rows.length > page.first,
      hasPreviousPage: Boolean(page.after),
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    count,
  );
}

/** One page of a root connection: one SELECT (plus one COUNT only if `totalCount` is read). */
export async function paginate<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  options: TableSpec & { where: WhereClause; sort: SortSpec; page: PageArgs },
): Promise<Page<T>> {
  const { table, tenant, where, sort, page } = options;
  const base = () => {
    const qb = db.scoped(db.knex()(`${table} as t`), tenant);
    where(qb);
    return qb;
  };
  const qb = base().select('t.*');
  const dir = applyOrderAndCursor(qb, 't', sort, page.after);
  qb.orderBy([
    { column: `t.${sort.column}`, order: dir },
    { column: 't.id', order: dir },
  ]).limit(page.first + 1);
  const rows = await db.read((run) => run(qb));
  const count = async () => {
    const [row] = await db.read((run) => run(base().count({ count: '*' })));
    return Number(row.count);
  };
  return toPage(db, entity, rows, sort, page, count);
}

/**
 * The same page of a child connection for many parents at once (e.g. `orders` of 50 merchants): one
 * SELECT with `row_number() over (partition by parent)`, so the statement count does not grow with
 * the number of parents.
 */
async function paginateByParent<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  options: ChildConnectionSpec & { parentIds: readonly string[]; where: WhereClause; sort: SortSpec; page: PageArgs },
  countFor: (parentId: string) => Promise<number>,
): Promise<Map<string, Page<T>>> {
  const { table, tenant, parentColumn, parentIds, where, sort, page } = options;
  const knex = db.knex();
  // Each parent's page is an index range scan of its own (`limit first + 1`), instead of numbering
  // every child row of every parent with row_number() and keeping the first few.
  const inner = db
    .scoped(knex(`${table} as t`), tenant)
    .select('t.*')
    .whereRaw('?? = p.__parent', [`t.${parentColumn}`]);
  where(inner);
  const dir = applyOrderAndCursor(inner, 't', sort, page.after);
  inner
    .orderBy([
      { column: `t.${sort.column}`, order: dir },
      { column: 't.id', order: dir },
    ])
    .limit(page.first + 1);
  const qb = knex
    .select('c.*')
    .from(knex.raw('unnest(?::uuid[]) with ordinality as p(__parent, __ord)', [`{${parentIds.join(',')}}`]))
    .joinRaw('cross join lateral (?) as c', [inner as unknown as Knex.Raw])
    .orderBy([
      { column: 'p.__ord', order: 'asc' },
      { column: `c.${sort.column}`, order: dir },
      { column: 'c.id', order: dir },
    ]);
  const rows = await db.read((run) => run(qb));
  const byParent = new Map<string, Row[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) byParent.get(row[parentColumn] as string)?.push(row);
  return new Map(
    [...byParent].map(([parentId, parentRows]) => [
      parentId,
      toPage(db, entity, parentRows, sort, page, () => countFor(parentId)),
    ]),
  );
}

/** Counts of a child table per parent in one GROUP BY, for `totalCount` of batched child connections. */
async function countByParent(
  db: TenantDb,
  options: ChildConnectionSpec & { parentIds: readonly string[]; where: WhereClause },
): Promise<Map<string, number>> {
  const { table, tenant, parentColumn, parentIds, where } = options;
  const qb = db
    .scoped(db.knex()(`${table} as t`), tenant)
    .select(`t.${parentColumn} as parent`)
    .count({ count: '*' })
    .groupBy(`t.${parentColumn}`);
  whereUuidIn(qb, `t.${parentColumn}`, parentIds);
  where(qb);
  const rows = await db.read((run) => run(qb));
  return new Map(rows.map((row) => [row.parent as string, Number(row.count)]));
}

export interface ChildConnectionSpec extends TableSpec {
  parentColumn: string;
}

/** What a child connection field was asked for; keys with equal arguments are batched together. */
export interface ChildConnectionKey<Args extends PageArgs> {
  parentId: string;
  args: Args;
}

function groupByArgs<K extends { args: unknown }>(keys: readonly K[]): Map<string, K[]> {
  const groups = new Map<string, K[]>();
  for (const key of keys) {
    const argsKey = JSON.stringify(key.args);
    groups.set(argsKey, [...(groups.get(argsKey) ?? []), key]);
  }
  return groups;
}

const childKey = (key: ChildConnectionKey<PageArgs>) => `${key.parentId}|${JSON.stringify(key.args)}`;

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
      const result = new Map<string, number>();
      for (const group of groupByArgs(keys).values()) {
        const counted = await countByParent(db, {
          ...spec,
          parentIds: group.map((k) => k.parentId),
          where: spec.where(group[0].args),
        });
        for (const key of group) result.set(childKey(key), counted.get(key.parentId) ?? 0);
      }
      return keys.map((key) => result.get(childKey(key))!);
    },
    { cacheKeyFn: childKey },
  );
  return new DataLoader<ChildConnectionKey<Args>, Page<T>, string>(
    async (keys) => {
      const result = new Map<string, Page<T>>();
      for (const group of groupByArgs(keys).values()) {
        const args = group[0].args;
        const pages = await paginateByParent(
          db,
          entity,
          {
            ...spec,
            parentIds: group.map((k) => k.parentId),
            where: spec.where(args),
            sort: spec.sort(args),
            page: args,
          },
          (parentId) => counts.load({ parentId, args }),
        );
        for (const key of group) result.set(childKey(key), pages.get(key.parentId)!);
      }
      return keys.map((key) => result.get(childKey(key))!);
    },
    { cacheKeyFn: childKey },
  );
}
