import type { Knex } from '@mikro-orm/postgresql';
import { escapeLiteral } from 'pg';
import { DAY_MS } from '../shared/time';
import type { TenantScope } from './tenant-scope';

/**
 * A text as a PostgreSQL literal, exactly as pg's `escapeLiteral` writes it. That one copies the text
 * a character at a time — a megabyte of garbage per request for a thousand-id array — so it is used
 * only for a text with a quote or a backslash to escape.
 */
export const literal = (text: string): string => (/['\\]/.test(text) ? escapeLiteral(text) : `'${text}'`);

/** A parameter of a prepared statement: a text (numbers and times as their texts) or null. */
export type Param = string | null;

const paramLiteral = (param: Param): string => (param === null ? 'null' : literal(param));

/** The per-request values of a read: where knex writes a stand-in, the value goes in as an escaped literal. */
export interface SlotValues {
  merchantId?: string;
  /** Ids as one PostgreSQL array text, `{…,…}`. */
  parentIds?: string;
  /** The id of a batch of one (`= $n` plans and runs faster than `= any($n)`). */
  parentId?: string;
  afterValue?: string;
  afterId?: string;
  beforeValue?: string;
  beforeId?: string;
  /** A time window's ends, as ISO texts. */
  since?: string;
  until?: string;
  /**
   * The ids a client's filter compares with (`filter: { merchantId }`), in the order `maskedIds`
   * found them: parameters too, so filters that differ only in their ids share one statement.
   */
  filterIds?: readonly string[];
}

type NamedSlot = Exclude<keyof SlotValues, 'filterIds'>;
type Slot = NamedSlot | `filterId${number}`;

/** UUID-shaped, so they fit every column a value may stand for; no client value may hold one (see `keyable`). */
export const STAND_INS: Record<NamedSlot, string> = {
  merchantId: '00000000-0000-4000-8000-00000000057e',
  // Two ids, so that a builder given the list writes an array (a list of one is written as `= id`).
  parentIds: '{00000000-0000-4000-8000-0000000005e7,00000000-0000-4000-8000-0000000005e9}',
  parentId: '00000000-0000-4000-8000-0000000005e8',
  afterValue: '00000000-0000-4000-8000-0000000a0001',
  afterId: '00000000-0000-4000-8000-0000000a0002',
  beforeValue: '00000000-0000-4000-8000-0000000b0001',
  beforeId: '00000000-0000-4000-8000-0000000b0002',
  since: '00000000-0000-4000-8000-0000000c0001',
  until: '00000000-0000-4000-8000-0000000c0002',
};
/** A filter's ids past this many make its statement one built per request. */
const MAX_FILTER_IDS = 16;
const FILTER_STAND_INS = Array.from(
  { length: MAX_FILTER_IDS },
  (_, i) => `00000000-0000-4000-8000-0000000d${String(i).padStart(4, '0')}`,
);
const STAND_IN_TEXTS = [
  ...Object.values(STAND_INS).flatMap((standIn) => standIn.replace(/[{}]/g, '').split(',')),
  ...FILTER_STAND_INS,
];
const standInOf = (slot: Slot): string =>
  slot.startsWith('filterId') ? FILTER_STAND_INS[Number(slot.slice(8))] : STAND_INS[slot as NamedSlot];
const valueOf = (values: SlotValues, slot: Slot): string | undefined =>
  slot.startsWith('filterId') ? values.filterIds?.[Number(slot.slice(8))] : values[slot as NamedSlot];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A client's filter with every id in it written as its place (`"#0"`, `"#1"`), and the ids in that
 * order: what fixes a statement's text, and what fills its parameters. This holds because a filter's
 * builder writes an id the same way whatever its value (`where t.merchant_id = <id>` when given).
 */
export function maskedIds(value: unknown): { masked: unknown; ids: string[] } {
  const ids: string[] = [];
  const mask = (item: unknown): unknown => {
    if (typeof item === 'string' && UUID.test(item)) return `#${ids.push(item) - 1}`;
    if (Array.isArray(item)) return item.map(mask);
    if (item && typeof item === 'object' && !(item instanceof Date))
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, mask(inner)]));
    return item;
  };
  return { masked: mask(value), ids };
}

/** Which tenant a statement is written for: the platform, one merchant (a stand-in) or nobody. */
export type TenantKind = 'platform' | 'merchant' | 'nobody';

export const tenantKindOf = (scope: TenantScope): TenantKind =>
  scope.platform ? 'platform' : scope.merchantId ? 'merchant' : 'nobody';

/** The tenant condition of a table, as `TenantDb.scoped` applies it, with the merchant a slot value. */
export function scopedAs(
  qb: Knex.QueryBuilder,
  tenant: (qb: Knex.QueryBuilder, merchantId: string) => void,
  kind: TenantKind,
  merchantId: string | undefined,
): Knex.QueryBuilder {
  if (kind === 'nobody') return qb.whereRaw('false');
  if (kind === 'merchant') tenant(qb, merchantId!);
  return qb;
}

/** The slot values of a scope: the merchant's id when the statement is written for one. */
export const tenantSlots = (scope: TenantScope): SlotValues =>
  scope.platform || !scope.merchantId ? {} : { merchantId: scope.merchantId };

/** The window of `days` days that ends now, as slot values. */
export function windowSlots(days: number, now = new Date()): SlotValues {
  return { since: new Date(now.getTime() - days * DAY_MS).toISOString(), until: now.toISOString() };
}

/**
 * A batch's ids as slot values, with the shape they fix (key suffix): one id as `parentId`, several
 * as `parentIds` (one PostgreSQL array text).
 */
export const idSlots = (ids: readonly string[]): { shape: string; values: SlotValues } =>
  ids.length === 1
    ? { shape: 'one', values: { parentId: ids[0] } }
    : { shape: 'many', values: { parentIds: `{${ids.join(',')}}` } };

/** The ids a template is written with, as a list (`whereUuidIn` writes a list of one as `= id`). */
export const idsOf = (values: SlotValues): string[] =>
  values.parentId ? [values.parentId] : values.parentIds!.slice(1, -1).split(',');

/**
 * A read in the actor's tenant, written once per shape (`key`) and kind of tenant: `build` gets the
 * slot values (stand-ins when writing) and `scoped`, which adds a table's tenant condition as
 * `TenantDb.scoped` would, with the merchant a parameter.
 */
export function scopedRead(
  scope: TenantScope,
  key: string,
  build: (
    values: SlotValues,
    scoped: (qb: Knex.QueryBuilder, tenant: (qb: Knex.QueryBuilder, merchantId: string) => void) => Knex.QueryBuilder,
  ) => Knex.QueryBuilder,
  values: SlotValues,
): ReadStatement {
  const kind = tenantKindOf(scope);
  return templated(
    `${key}|${kind}`,
    (slots) => build(slots, (qb, tenant) => scopedAs(qb, tenant, kind, slots.merchantId)),
    { ...tenantSlots(scope), ...values },
  );
}

/**
 * Whether texts that go into a shape key may: a client value holding a stand-in would have its text
 * replaced on filling, so such a request is built directly instead.
 */
export function keyable(...texts: string[]): boolean {
  return !texts.some((text) => STAND_IN_TEXTS.some((standIn) => text.includes(standIn)));
}

/**
 * A read's SQL text written once per shape, with `$1…` where the slot values go: the text of a
 * prepared statement. `uses` counts its reads, so a shape read once (a one-off filter) is not prepared.
 */
export interface ReadTemplate {
  /** The prepared statement's name on every connection that has prepared it. */
  readonly name: string;
  readonly text: string;
  /** The text as knex wrote it, with a stand-in where each parameter goes. */
  readonly withStandIns: string;
  /** The slot each `$n` stands for, in order. */
  readonly slots: readonly Slot[];
  /** Written by hand with `$n` (see `prepared`): filled in by number, not by stand-in. */
  readonly byNumber?: true;
  uses: number;
}

/** A read of a template with its parameters (in `$n` order), or a statement built for one request. */
export type ReadStatement = { template: ReadTemplate; params: readonly Param[] } | string;

/**
 * The statement with its parameters as escaped literals in place of the stand-ins (safe: no client
 * value that went into a template's text holds a stand-in, see `keyable`).
 */
export function filledIn(statement: ReadStatement): string {
  if (typeof statement === 'string') return statement;
  const { template, params } = statement;
  if (template.byNumber)
    return template.text.replace(/\$(\d+)\b/g, (_, n: string) => paramLiteral(params[Number(n) - 1]));
  let text = template.withStandIns;
  // A replacer function: a replacement string would read `$'` and `$&` in a client's value as patterns.
  template.slots.forEach((slot, i) => (text = text.replaceAll(`'${standInOf(slot)}'`, () => paramLiteral(params[i]))));
  return text;
}

const templates = new Map<string, ReadTemplate | null>();
const MAX_TEMPLATES = 5_000;
let written = 0;

/**
 * Written with a stand-in for each slot the values fill, and only those. A filter's ids are in the
 * builder's own closure, so they are found by their literals in its text and stand-ins put there
 * instead — only where each id is written once, as a literal of its own, and no two are the same (an
 * id used twice, inside a pattern or an array, or equal to a constant of the builder's could not be
 * told apart): otherwise null, and the statement is built per request.
 */
function write(build: (values: SlotValues) => Knex.QueryBuilder, values: SlotValues): ReadTemplate | null {
  const given = (Object.keys(STAND_INS) as NamedSlot[]).filter((slot) => values[slot] !== undefined);
  let withStandIns = build(Object.fromEntries(given.map((slot) => [slot, STAND_INS[slot]]))).toQuery();
  const filterIds = values.filterIds ?? [];
  if (filterIds.length > MAX_FILTER_IDS || new Set(filterIds).size < filterIds.length) return null;
  if (filterIds.some((id) => withStandIns.split(id).length !== 2 || !withStandIns.includes(`'${id}'`))) return null;
  filterIds.forEach((id, i) => (withStandIns = withStandIns.replace(`'${id}'`, `'${FILTER_STAND_INS[i]}'`)));
  const slots = [...given, ...filterIds.map((_, i) => `filterId${i}` as const)].filter((slot) =>
    withStandIns.includes(`'${standInOf(slot)}'`),
  );
  let text = withStandIns;
  slots.forEach((slot, i) => (text = text.replaceAll(`'${standInOf(slot)}'`, `$${i + 1}`)));
  // A stand-in written in another form than its own literal would be read as a real value.
  if (STAND_IN_TEXTS.some((standIn) => text.includes(standIn)))
    throw new Error(`a read template holds a stand-in outside its slot: ${text}`);
  return { name: `weiquan_read_${++written}`, text, withStandIns, slots, uses: 0 };
}

/**
 * A read written by knex once per shape (`key`: the call site, the kind of tenant and what the
 * arguments ask besides the slot values) with stand-ins where the merchant, the parents and the
 * cursors' positions go, which become the parameters of a prepared statement: a request costs no
 * query builder, and PostgreSQL parses and plans the shape once per connection. With `key` null the
 * statement is built with the values themselves.
 */
export function templated(
  key: string | null,
  build: (values: SlotValues) => Knex.QueryBuilder,
  values: SlotValues,
): ReadStatement {
  if (key === null) return build(values).toQuery();
  let template = templates.get(key);
  if (template === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    template = write(build, values);
    templates.set(key, template);
  }
  if (template === null) return build(values).toQuery();
  return {
    template,
    params: template.slots.map((slot) => {
      const value = valueOf(values, slot);
      if (value === undefined) throw new Error(`the read ${key} needs a value for ${slot}`);
      return value;
    }),
  };
}

/**
 * A statement written by hand with `$1…` where its parameters go (cast where a parameter is not plain
 * text), run as a read's template is: filled in on its first use, then prepared once per connection.
 * For the statements a mutation sends on every call, whose planning would otherwise cost PostgreSQL
 * as much as running them. The text must hold no `$n` but its parameters.
 */
export function prepared(text: string): (...params: Param[]) => ReadStatement {
  const name = `weiquan_sql_${++written}`;
  const template: ReadTemplate = { name, text, withStandIns: text, slots: [], byNumber: true, uses: 0 };
  return (...params) => ({ template, params });
}

const shapes = new Map<string, (...params: Param[]) => ReadStatement>();

/**
 * `prepared` for statements whose text depends on a shape (how many rows an insert has): written once
 * per `key`, by `write`.
 */
export function preparedShape(key: string, write: () => string): (...params: Param[]) => ReadStatement {
  let statement = shapes.get(key);
  if (!statement) {
    if (shapes.size >= MAX_TEMPLATES) shapes.clear();
    shapes.set(key, (statement = prepared(write())));
  }
  return statement;
}

/**
 * The prepared statements of each pooled connection (null: unknown after a failed message, so the
 * next message deallocates them all first). Bounded: a connection past the limit starts afresh too.
 */
const preparedOn = new WeakMap<object, Set<string> | null>();
const MAX_PREPARED_PER_CONNECTION = 500;

/**
 * A statement as it goes into a message on `connection`: a template used before as `execute`, preceded
 * in `head` by its `prepare` where the connection lacks it; anything else as it is.
 */
export function inMessage(connection: object, statement: ReadStatement, head: string[]): string {
  if (typeof statement === 'string') return statement;
  const { template, params } = statement;
  const args = params.length ? `(${params.map(paramLiteral).join(', ')})` : '';
  // A shape's first use goes as it is: one use of a shape (a one-off filter) is not worth preparing.
  if (template.uses++ === 0) return filledIn(statement);
  let known = preparedOn.get(connection);
  if (known === undefined || known === null || known.size >= MAX_PREPARED_PER_CONNECTION) {
    if (known !== undefined) head.push('deallocate all');
    preparedOn.set(connection, (known = new Set()));
  }
  if (!known.has(template.name)) {
    head.push(`prepare ${template.name} as ${template.text}`);
    known.add(template.name);
  }
  return `execute ${template.name}${args}`;
}

/** After a failed message: which of its statements were prepared is unknown, so the connection starts afresh. */
export function forgetPrepared(connection: object): void {
  preparedOn.set(connection, null);
}
