import { isUuid } from './global-id';
import type { Knex } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { Max, Min } from 'class-validator';
import { createHash } from 'node:crypto';
import { columnsKey, type Row, type TenantDb } from '../db/tenant-db';
import { PlainValue } from '../security/authorization';
import {
  keyable,
  maskedIds,
  scopedAs,
  type SlotValues,
  templated,
  type TenantKind,
  tenantKindOf,
  tenantSlots,
} from '../db/read-statements';
import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ConnectionAsk } from './selection';

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Relay paging: `first`/`after` forward, `last`/`before` backward; edges are in the sort order either way. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Forward paging: at most this many edges after \`after\`, 0 to ${MAX_PAGE_SIZE} (${DEFAULT_PAGE_SIZE} when neither \`first\` nor \`last\` is given).`,
  })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of the previous page.' })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `Backward paging: at most this many edges before \`before\` (the last ones when it is absent), 0 to ${MAX_PAGE_SIZE}.`,
  })
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of the next page.' })
  before?: string | null;
}

export type Class<T> = new (...args: never[]) => T;

@ObjectType()
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether edges follow this page in the sort order.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'Whether edges precede this page in the sort order.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType(name: string, nodeType: Class<object>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    @PlainValue()
    cursor!: string;

    @Field(() => nodeType)
    @PlainValue()
    node!: object;
  }

  @ObjectType(`${name}Connection`)
  class Connection {
    @Field(() => [Edge])
    @PlainValue()
    edges!: Edge[];

    @Field(() => PageInfo)
    @PlainValue()
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
    private readonly window: PageWindow,
  ) {}

  get cursor(): string {
    return encodeCursor(this.window, this.row);
  }
}

/**
 * A page's cursors, encoded only if read. The getters are the class's, not an object literal's: V8
 * keeps an object whose literal accessors close over per-call values, and all it reaches (here the
 * page's rows), past young-generation collections until the next full one (see eslint.config.mjs).
 */
class EdgesPageInfo implements PageInfo {
  constructor(
    private readonly edges: readonly { cursor: string }[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}

  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.edges.at(-1)?.cursor ?? null;
  }
}

/**
 * A page of results. `totalCount` is a getter, so its COUNT query runs only when a client asks for it,
 * and once however many times it is asked (aliases).
 */
export class Page<T> {
  private counted?: Promise<number>;

  constructor(
    readonly edges: { cursor: string; node: T }[],
    readonly pageInfo: PageInfo,
    private readonly count: () => Promise<number>,
  ) {}

  get totalCount(): Promise<number> {
    return (this.counted ??= this.count());
  }
}

/**
 * How a connection reads its count, from what the selection asks of it: alone (no page of rows), in
 * the page's message, or (neither) only if the executor reaches `totalCount` after all.
 */
export const countAsked = (asked: ConnectionAsk): { countOnly: boolean; countNow: boolean } => ({
  countOnly: asked.totalOnly,
  countNow: asked.total && !asked.totalOnly,
});

/** What a page asked for its count alone answers besides: nothing. */
export const NO_PAGE: PageInfo = { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };

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

/**
 * What one page asks for, worked out from the arguments: its size, which way it reads, and the
 * cursors bounding it. `tag` ties cursors to the sort and filter they were made under.
 */
export interface PageWindow {
  sort: SortSpec;
  /** The columns read (the sort column, the id and any parent key are added); null: all. */
  columns: readonly string[] | null;
  tag: string;
  /** What the tag digests: the client's values, checked against the stand-ins (`keyable`). */
  filter: string;
  /** The filter with its ids as places, for statement shape keys; the ids are parameters. */
  filterShape: string;
  filterIds: string[];
  size: number;
  backward: boolean;
  after?: CursorPosition;
  before?: CursorPosition;
}

const PAGING_ARGS = new Set(['first', 'last', 'after', 'before']);

/** Everything but the paging arguments ([] when nothing else was given). */
function filterOf(args: unknown): unknown {
  if (args === null || args === undefined) return [];
  return typeof args === 'object'
    ? Object.entries(args).filter(([key, value]) => !PAGING_ARGS.has(key) && value != null)
    : args;
}

/** The filter as a statement's text depends on it, and the ids that are its parameters (`maskedIds`). */
export function filterShapeOf(args: unknown): { filter: string; filterShape: string; filterIds: string[] } {
  const filter = filterOf(args);
  const { masked, ids } = maskedIds(filter);
  return { filter: JSON.stringify(filter), filterShape: JSON.stringify(masked), filterIds: ids };
}

/** A short digest of a filter's JSON ('' for none): a cursor made under one filter fits no other. */
const tagOf = (json: string): string =>
  json === '[]' ? '' : createHash('sha256').update(json).digest('base64url').slice(0, 12);

/** The tag of everything but the paging arguments. */
export const filterTag = (args: unknown): string => tagOf(JSON.stringify(filterOf(args)));

function badPaging(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', field: [field] } });
}

export function windowOf(
  page: PageArgs,
  sort: SortSpec,
  filter: unknown,
  columns: readonly string[] | null = null,
): PageWindow {
  const { first, last, after, before } = page;
  if (first != null && last != null) throw badPaging('pass `first` or `last`, not both', 'last');
  const shaped = filterShapeOf(filter);
  const window: PageWindow = {
    sort,
    columns,
    tag: tagOf(shaped.filter),
    ...shaped,
    size: first ?? last ?? DEFAULT_PAGE_SIZE,
    backward: last != null || (first == null && before != null && after == null),
  };
  if (after) window.after = decodeCursor(after, window, 'after');
  if (before) window.before = decodeCursor(before, window, 'before');
  return window;
}

/**
 * Sort values travel in cursors exactly as PostgreSQL wrote them, so a timestamp keeps its
 * microseconds (a JavaScript Date would drop them and skip or repeat rows that differ below the
 * millisecond).
 */
function encodeCursor(window: PageWindow, row: Record<string, unknown>): string {
  const raw = row[window.sort.column];
  const value = raw instanceof Date ? raw.toISOString() : String(raw);
  return Buffer.from(
    JSON.stringify([window.sort.key, window.sort.direction, window.tag, value, row.id]),
    'utf8',
  ).toString('base64url');
}

/** PostgreSQL's text form of a timestamptz (`2026-11-29 08:36:49.612345+00`) or ISO 8601 (`…T…Z`). */
const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d{1,6})?(?:Z|[+-]\d\d(?::?\d\d)?)$/;

/** A real instant between years 1000 and 9999: a forged cursor never reaches PostgreSQL as a bad date. */
function isTimestamp(value: string): boolean {
  const parts = TIMESTAMP.exec(value);
  if (!parts) return false;
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    year >= 1000 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** Whether a cursor's value can be compared with its sort column: a time, a whole number, or text. */
function fitsColumn(column: string, value: string): boolean {
  if (column.endsWith('_at')) return isTimestamp(value);
  if (column.endsWith('amount')) return /^-?\d{1,16}$/.test(value);
  return !value.includes('\u0000');
}

function decodeCursor(cursor: string, window: PageWindow, field: 'after' | 'before'): CursorPosition {
  try {
    const [key, direction, tag, value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      key === window.sort.key &&
      direction === window.sort.direction &&
      tag === window.tag &&
      typeof value === 'string' &&
      typeof id === 'string' &&
      isUuid(id) &&
      fitsColumn(window.sort.column, value)
    ) {
      return { value, id };
    }
  } catch {
    // fall through to the error below
  }
  throw badPaging(`\`${field}\` is not a cursor of this connection with this sort order and filter`, field);
}

const flip = (direction: 'asc' | 'desc') => (direction === 'asc' ? 'desc' : 'asc');

/** The filter's ids and the cursors' positions of a window as slot values. */
export const cursorSlots = (window: PageWindow): SlotValues => ({
  filterIds: window.filterIds,
  ...(window.after ? { afterValue: window.after.value, afterId: window.after.id } : {}),
  ...(window.before ? { beforeValue: window.before.value, beforeId: window.before.id } : {}),
});

/** The window with its cursors' positions taken from the slot values (stand-ins, when writing a template). */
export const windowWith = (window: PageWindow, values: SlotValues): PageWindow => ({
  ...window,
  after: window.after && { value: values.afterValue!, id: values.afterId! },
  before: window.before && { value: values.beforeValue!, id: values.beforeId! },
});

/**
 * What a statement's text depends on besides its slot values; null when a client value could be
 * mistaken for a stand-in (the statement is then built directly).
 */
export function shapeKey(shape: string, kind: TenantKind, window: PageWindow, ...rest: string[]): string | null {
  if (!keyable(window.filter)) return null;
  const { sort, columns, size, backward, after, before } = window;
  return [
    shape,
    kind,
    sort.key,
    sort.column,
    sort.direction,
    window.filterShape,
    size,
    backward,
    Boolean(after),
    Boolean(before),
    columnsKey(columns ?? null),
    ...rest,
  ].join('|');
}

/**
 * `(column, id) <op> (value, id)`: rows past a cursor in the sort order (`ahead`) or before it;
 * `inclusive` keeps the cursor's own row.
 */
function beyond(
  qb: Knex.QueryBuilder,
  alias: string,
  window: PageWindow,
  position: CursorPosition,
  ahead: boolean,
  inclusive = false,
) {
  const ascending = (window.sort.direction === SortDirection.ASC) === ahead;
  const op = (ascending ? '>' : '<') + (inclusive ? '=' : '');
  qb.whereRaw(`(??, ??) ${op} (?, ?::uuid)`, [
    `${alias}.${window.sort.column}`,
    `${alias}.id`,
    position.value,
    position.id,
  ]);
}

export function orderBy(qb: Knex.QueryBuilder, alias: string, column: string, direction: 'asc' | 'desc') {
  return qb.orderBy([
    { column: `${alias}.${column}`, order: direction },
    { column: `${alias}.id`, order: direction },
  ]);
}

/**
 * The rows of one page in reading order (`limit size + 1` tells whether more follow), and, when the
 * page starts from a cursor, one row on the cursor's other side so `pageInfo` is right at both ends.
 * Both halves are one statement: `(page) union all (peek)`, each an index range scan.
 */
export function windowQuery(
  knex: Knex,
  base: () => Knex.QueryBuilder,
  window: PageWindow,
  parentColumn?: string,
): Knex.QueryBuilder {
  const reading = readingOrder(window);
  const selected = selectList(window, parentColumn);
  const page = base().select(...selected, knex.raw('false as __peek'));
  if (window.after) beyond(page, 't', window, window.after, true);
  if (window.before) beyond(page, 't', window, window.before, false);
  orderBy(page, 't', window.sort.column, reading).limit(window.size + 1);
  const origin = window.backward ? window.before : window.after;
  if (!origin) return page;
  // The cursor's own row lies on the other side too: it was on the page the cursor came from.
  const peek = base().select(...selected, knex.raw('true as __peek'));
  beyond(peek, 't', window, origin, window.backward, true);
  orderBy(peek, 't', window.sort.column, flip(reading)).limit(1);
  const union = knex.select('w.*').from(knex.raw('((?) union all (?)) as w', [page, peek]));
  return orderBy(union.orderBy('w.__peek'), 'w', window.sort.column, reading);
}

/** `t.*`, or the columns asked plus those paging needs: the sort column, the id, the parent's key. */
function selectList(window: PageWindow, parentColumn?: string): string[] {
  if (!window.columns) return ['t.*'];
  const columns = new Set([...window.columns, window.sort.column, 'id', ...(parentColumn ? [parentColumn] : [])]);
  return [...columns].map((column) => `t.${column}`);
}

/** The direction rows of a window come back in. */
export function readingOrder(window: PageWindow): 'asc' | 'desc' {
  const sortDirection = window.sort.direction === SortDirection.ASC ? 'asc' : 'desc';
  return window.backward ? flip(sortDirection) : sortDirection;
}

export function toPage<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  rows: Row[],
  window: PageWindow,
  count: () => Promise<number>,
): Page<T> {
  const reached = rows.filter((row) => !row.__peek);
  const peeked = reached.length < rows.length;
  const overflow = reached.length > window.size;
  const kept = reached.slice(0, window.size);
  if (window.backward) kept.reverse();
  const edges = kept.map((row) => new RowEdge(db.map(entity, row), row, window));
  return new Page(
    edges,
    new EdgesPageInfo(edges, window.backward ? peeked : overflow, window.backward ? overflow : peeked),
    count,
  );
}

/**
 * One page of a root connection: one SELECT, plus one COUNT if `totalCount` is read. `filter` is what
 * cursors are tied to, by default the arguments besides the paging ones.
 */
export async function paginate<T extends object>(
  db: TenantDb,
  entity: Class<T>,
  options: TableSpec & {
    /** The call site's name (`module.field`): with the arguments, it fixes the statement's text. */
    shape: string;
    where: WhereClause;
    sort: SortSpec;
    page: PageArgs;
    filter?: unknown;
    /** The columns the selection needs (`TenantDb.columnsFor`); all when absent. */
    columns?: readonly string[] | null;
    /**
     * The selection reads `totalCount`: the COUNT travels in the page's own message rather than in a
     * round trip of its own once the page is back.
     */
    countNow?: boolean;
    /** The selection reads `totalCount` alone: no page of rows is read. */
    countOnly?: boolean;
  },
): Promise<Page<T>> {
  const { table, tenant, where, sort, page } = options;
  const window = windowOf(page, sort, 'filter' in options ? options.filter : page, options.columns);
  const kind = tenantKindOf(db.scope);
  const knex = db.knex();
  const base = (values: SlotValues) => () => {
    const qb = scopedAs(knex(`${table} as t`), tenant, kind, values.merchantId);
    where(qb);
    return qb;
  };
  const slots = { ...tenantSlots(db.scope), ...cursorSlots(window) };
  const sql = templated(
    shapeKey(options.shape, kind, window, 'page'),
    (values) => windowQuery(knex, base(values), windowWith(window, values)),
    slots,
  );
  const count = async () => {
    const countSql = templated(
      shapeKey(options.shape, kind, { ...window, after: undefined, before: undefined, size: 0 }, 'count'),
      (values) => base(values)().count({ count: '*' }),
      { ...tenantSlots(db.scope), filterIds: window.filterIds },
    );
    const [row] = await db.read((run) => run(countSql));
    return Number(row.count);
  };
  if (options.countOnly) {
    const counted = count();
    counted.catch(() => {}); // reported where totalCount is read
    return new Page<T>([], NO_PAGE, () => counted);
  }
  const rows = db.read((run) => run(sql));
  // Read in the same turn as the page, so in its message; a failure is reported by `totalCount`.
  const counted = options.countNow ? count() : undefined;
  counted?.catch(() => {});
  return toPage(db, entity, await rows, window, () => counted ?? count());
}
