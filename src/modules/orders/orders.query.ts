import { type PageArgs, SortDirection, type SortSpec, type TableSpec, type WhereClause } from '../../graphql/connection';
import { requireLocalId } from '../../graphql/ids';
import { type OrderFilter, type OrderSort, OrderSortField } from './orders.types';

export const ORDER_TABLE: TableSpec = { table: 'order', tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId) };

const ofOwnOrder: TableSpec['tenant'] = (qb, merchantId) =>
  qb.whereRaw('exists (select 1 from "order" o where o.id = t.order_id and o.merchant_id = ?)', [merchantId]);

export const ORDER_LINE_TABLE: TableSpec = { table: 'order_line', tenant: ofOwnOrder };

export const ORDER_STATUS_CHANGE_TABLE: TableSpec = { table: 'order_status_change', tenant: ofOwnOrder };

export interface OrderListArgs extends PageArgs {
  filter?: OrderFilter | null;
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

export function orderWhere(filter?: OrderFilter | null): WhereClause {
  const merchantId = filter?.merchantId ? requireLocalId('Merchant', filter.merchantId, 'filter.merchantId') : null;
  const buyerId = filter?.buyerId ? requireLocalId('Buyer', filter.buyerId, 'filter.buyerId') : null;
  return (qb) => {
    if (!filter) return;
    if (merchantId) qb.where('t.merchant_id', merchantId);
    if (buyerId) qb.where('t.buyer_id', buyerId);
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
