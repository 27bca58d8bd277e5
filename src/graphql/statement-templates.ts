import type { Knex } from '@mikro-orm/postgresql';
import { escapeLiteral } from 'pg';
import type { TenantScope } from '../db/tenant-db';

/** The per-request values of a read: where knex writes a stand-in, the value goes in as an escaped literal. */
export interface SlotValues {
  merchantId?: string;
  /** Ids as one PostgreSQL array text, `{…,…}`. */
  parentIds?: string;
  afterValue?: string;
  afterId?: string;
  beforeValue?: string;
  beforeId?: string;
}

type Slot = keyof SlotValues;

/** UUID-shaped, so they fit every column a value may stand for; no client value may hold one (see `keyable`). */
export const STAND_INS: Required<SlotValues> = {
  merchantId: '00000000-0000-4000-8000-00000000057e',
  parentIds: '{00000000-0000-4000-8000-0000000005e7}',
  afterValue: '00000000-0000-4000-8000-0000000a0001',
  afterId: '00000000-0000-4000-8000-0000000a0002',
  beforeValue: '00000000-0000-4000-8000-0000000b0001',
  beforeId: '00000000-0000-4000-8000-0000000b0002',
};
const STAND_IN_TEXTS = Object.values(STAND_INS).map((standIn) => standIn.replace(/[{}]/g, ''));

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

/**
 * Whether texts that go into a shape key may: a client value holding a stand-in would have its text
 * replaced on filling, so such a request is built directly instead.
 */
export function keyable(...texts: string[]): boolean {
  return !texts.some((text) => STAND_IN_TEXTS.some((standIn) => text.includes(standIn)));
}

const templates = new Map<string, string>();
const MAX_TEMPLATES = 5_000;

/**
 * A read's SQL text, written by knex once per shape (`key`: the call site, the kind of tenant and what
 * the arguments ask besides the slot values) with stand-ins, then filled in per request: the merchant,
 * the parents and the cursors' positions as escaped literals. A string replacement instead of a query
 * builder per request. With `key` null the statement is built with the values themselves.
 */
export function templated(
  key: string | null,
  build: (values: SlotValues) => Knex.QueryBuilder,
  values: SlotValues,
): string {
  if (key === null) return build(values).toQuery();
  let text = templates.get(key);
  if (text === undefined) {
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(key, (text = build(STAND_INS).toQuery()));
  }
  for (const slot of Object.keys(values) as Slot[]) {
    text = text.replaceAll(`'${STAND_INS[slot]}'`, escapeLiteral(values[slot]!));
  }
  return text;
}
