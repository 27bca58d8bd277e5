import type { Knex } from '@mikro-orm/postgresql';
import { whereUuidIn } from '../../db/sql';
import {
  type PageArgs,
  SortDirection,
  type SortSpec,
  type TableSpec,
  type TenantCondition,
  type WhereClause,
} from '../../graphql/connection';
import { OrderStatus } from '../../shared/enums';
import { type OrderFilter, type OrderSort, OrderSortField } from './orders.types';

export const ORDER_TABLE: TableSpec = {
  table: 'order',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

const ofOwnOrder: TableSpec['tenant'] = (qb, merchantId) =>
  qb.whereRaw('exists (select 1 from "order" o where o.id = t.order_id and o.merchant_id = ?)', [merchantId]);

export const ORDER_LINE_TABLE: TableSpec = { table: 'order_line', tenant: ofOwnOrder };

export const ORDER_STATUS_CHANGE_TABLE: TableSpec = { table: 'order_status_change', tenant: ofOwnOrder };

/**
 * For other modules' tenant conditions: a merchant sees a buyer (or what belongs to one) only through
 * an order the buyer placed with it. `buyerColumn` is the buyer id column of the caller's table.
 */
export function boughtFromMerchant(buyerColumn: string): TenantCondition {
  return (qb, merchantId) =>
    qb.whereRaw(`exists (select 1 from "order" o where o.buyer_id = ${buyerColumn} and o.merchant_id = ?)`, [
      merchantId,
    ]);
}

/** Orders with local ids in their filter; the GraphQL edge decodes the global ones. */
export interface OrderListArgs extends PageArgs {
  filter?:
    (Omit<OrderFilter, 'merchantId' | 'buyerId'> & { merchantId?: string | null; buyerId?: string | null }) | null;
  sort?: OrderSort | null;
}

const SORT_COLUMNS: Record<OrderSortField, string> = {
  [OrderSortField.PAID_AT]: 'paid_at',
  [OrderSortField.PAID_AMOUNT]: 'paid_amount',
};

/** Newest first unless asked otherwise. */
export function orderSort(sort?: OrderSort | null): SortSpec {
  const field = sort?.field ?? OrderSortField.PAID_AT;
  return { key: field, column: SORT_COLUMNS[field], direction: sort?.direction ?? SortDirection.DESC };
}

export function orderWhere(filter?: OrderListArgs['filter']): WhereClause {
  return (qb) => {
    if (!filter) return;
    if (filter.merchantId) qb.where('t.merchant_id', filter.merchantId);
    if (filter.buyerId) qb.where('t.buyer_id', filter.buyerId);
    if (filter.status?.length) qb.whereIn('t.status', filter.status);
    if (filter.platform) qb.where('t.platform', filter.platform);
    if (filter.destinationRegion?.length) qb.whereIn('t.destination_region', filter.destinationRegion);
    if (filter.remoteRegion != null) qb.where('t.remote_region', filter.remoteRegion);
    if (filter.promoted != null) qb.where('t.promoted', filter.promoted);
    if (filter.custom != null) qb.where('t.custom', filter.custom);
    if (filter.paidAt?.from) qb.where('t.paid_at', '>=', filter.paidAt.from);
    if (filter.paidAt?.to) qb.where('t.paid_at', '<', filter.paidAt.to);
  };
}

/**
 * Distinct and repeat buyers per merchant among orders paid in [since, until), cancelled ones not
 * counted: the one repurchase query, for the trust read side (batched) and the ledger's eligibility.
 * The orders are aliased `t` so a tenant condition can be laid on them.
 */
export function repurchaseQuery(
  knex: Knex,
  merchantIds: readonly string[],
  since: Date | string,
  until: Date | string,
  tenant?: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
) {
  const orders = knex('order as t')
    .select('t.merchant_id', 't.buyer_id')
    .count({ n: '*' })
    .where((qb) => whereUuidIn(qb, 't.merchant_id', merchantIds))
    .whereNot('t.status', OrderStatus.CANCELLED)
    .where('t.paid_at', '>=', since)
    .where('t.paid_at', '<', until)
    .groupBy('t.merchant_id', 't.buyer_id');
  return knex
    .from((tenant ? tenant(orders) : orders).as('per_buyer'))
    .select('merchant_id', knex.raw('count(*)::int as buyers, (count(*) filter (where n > 1))::int as repeat_buyers'))
    .groupBy('merchant_id');
}

/** Orders per buyer paid in (since, until], cancelled ones not counted. */
export function buyerOrderCountsQuery(knex: Knex, buyerIds: readonly string[], since: Date, until: Date) {
  return knex('order')
    .select('buyer_id')
    .count({ n: '*' })
    .where((qb) => whereUuidIn(qb, 'buyer_id', buyerIds))
    .whereNot('status', OrderStatus.CANCELLED)
    .where('paid_at', '>', since)
    .where('paid_at', '<=', until)
    .groupBy('buyer_id');
}

/** Paid amount (excluding shipping) of a merchant's orders completed in [from, to). */
export function completedSalesQuery(knex: Knex, merchantId: string, from: Date, to: Date) {
  return knex('order')
    .sum({ sales: 'paid_amount' })
    .where({ merchant_id: merchantId, status: OrderStatus.COMPLETED })
    .where('completed_at', '>=', from)
    .where('completed_at', '<', to);
}

/** Orders (not cancelled) per merchant paid in (since, until]: whether a merchant has enough for a score. */
export function orderCountsQuery(
  knex: Knex,
  merchantIds: readonly string[],
  since: Date | string,
  until: Date | string,
  tenant?: (qb: Knex.QueryBuilder) => Knex.QueryBuilder,
) {
  const qb = knex('order as t')
    .select('t.merchant_id')
    .count({ n: '*' })
    .where((qb) => whereUuidIn(qb, 't.merchant_id', merchantIds))
    .whereNot('t.status', OrderStatus.CANCELLED)
    .where('t.paid_at', '>', since)
    .where('t.paid_at', '<=', until)
    .groupBy('t.merchant_id');
  return tenant ? tenant(qb) : qb;
}
