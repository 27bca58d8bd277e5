import { ORDER_FIELD_READS } from './orders.types';
import DataLoader from 'dataloader';
import { idSlots, idsOf, scopedRead, windowSlots } from '../../db/read-statements';
import type { TenantDb } from '../../db/tenant-db';
import { policyInForce, withNumberInForce } from '../policies/policies.loaders';
import { childConnectionLoader } from '../../graphql/child-connection';
import { childrenLoader, projectedChildrenLoader, projectedLoaders, loaderSet } from '../../graphql/loaders';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import {
  ORDER_LINE_TABLE,
  ORDER_STATUS_CHANGE_TABLE,
  ORDER_TABLE,
  orderSort,
  orderWhere,
  type OrderListArgs,
  orderCountsQuery,
  repurchaseQuery,
} from './orders.query';

const connectionOf = (db: TenantDb, parentColumn: string) =>
  childConnectionLoader<Order, OrderListArgs>(db, Order, {
    shape: `orders.of.${parentColumn}`,
    ...ORDER_TABLE,
    parentColumn,
    where: (args) => orderWhere(args.filter),
    sort: (args) => orderSort(args.sort),
  });

/** A figure per merchant over its orders of the last `days` days: one statement for all merchants. */
const perMerchantOverWindow = (
  db: TenantDb,
  name: string,
  query: typeof orderCountsQuery,
  merchantIds: readonly string[],
  days: number,
) =>
  db.read((run) =>
    run(
      scopedRead(
        db.scope,
        `orders.${name}|${idSlots(merchantIds).shape}`,
        (values, scoped) =>
          query(db.knex(), idsOf(values), values.since!, values.until!, (orders) => scoped(orders, ORDER_TABLE.tenant)),
        { ...idSlots(merchantIds).values, ...windowSlots(days) },
      ),
    ),
  );

export const createOrderLoaders = loaderSet({
  ...projectedLoaders(Order, ORDER_TABLE, ORDER_FIELD_READS),
  lines: (db) =>
    projectedChildrenLoader(db, OrderLine, {
      ...ORDER_LINE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['line_no'],
    }),
  // In the order they were recorded; `changedAt` may be back-dated by the platform.
  statusHistory: (db) =>
    childrenLoader(db, OrderStatusChange, {
      ...ORDER_STATUS_CHANGE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['created_at', 'id'],
    }),
  byMerchant: (db) => connectionOf(db, 'merchant_id'),
  byBuyer: (db) => connectionOf(db, 'buyer_id'),
  /** Distinct and repeat buyers per merchant over the high-repurchase window: one query for all. */
  repurchase: (db, loaders) =>
    new DataLoader<string, { buyers: number; repeatBuyers: number }>(async (merchantIds) => {
      const rows = await withNumberInForce(
        policyInForce(loaders),
        (numbers) => numbers.highRepurchase.windowDays,
        (days) => perMerchantOverWindow(db, 'repurchase', repurchaseQuery, merchantIds, days),
      );
      const byMerchant = new Map(
        rows.map((row) => [
          row.merchant_id as string,
          { buyers: Number(row.buyers), repeatBuyers: Number(row.repeat_buyers) },
        ]),
      );
      return merchantIds.map((id) => byMerchant.get(id) ?? { buyers: 0, repeatBuyers: 0 });
    }),
  /** Orders per merchant over the trust-score window: one GROUP BY for all. */
  recentOrderCount: (db, loaders) =>
    new DataLoader<string, number>(async (merchantIds) => {
      const rows = await withNumberInForce(
        policyInForce(loaders),
        (numbers) => numbers.trust.windowDays,
        (days) => perMerchantOverWindow(db, 'recentOrderCount', orderCountsQuery, merchantIds, days),
      );
      const byMerchant = new Map(rows.map((row) => [row.merchant_id as string, Number(row.n)]));
      return merchantIds.map((id) => byMerchant.get(id) ?? 0);
    }),
});

declare module '../../db/session' {
  interface Loaders {
    orders: ReturnType<typeof createOrderLoaders>;
  }
}
