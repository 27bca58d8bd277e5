import { ORDER_FIELD_READS } from './orders.types';
import DataLoader from 'dataloader';
import { idSlots, idsOf, scopedRead, windowSlots } from '../../db/read-statements';
import type { TenantDb } from '../../db/tenant-db';
import type { PolicySnapshot } from '../policies/policies.rules';
import { withNumberInForce } from '../policies/policies.loaders';
import { childConnectionLoader } from '../../graphql/child-connection';
import {
  projectedByIdLoader,
  childrenLoader,
  projectedChildrenLoader,
  projectedThroughLoader,
} from '../../graphql/loaders';
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

export function createOrderLoaders(db: TenantDb, policyNow: () => Promise<PolicySnapshot>) {
  const connectionOf = (parentColumn: string) =>
    childConnectionLoader<Order, OrderListArgs>(db, Order, {
      shape: `orders.of.${parentColumn}`,
      ...ORDER_TABLE,
      parentColumn,
      where: (args) => orderWhere(args.filter),
      sort: (args) => orderSort(args.sort),
    });
  /** A figure per merchant over its orders of the last `days` days: one statement for all merchants. */
  const perMerchantOverWindow = (
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
            query(db.knex(), idsOf(values), values.since!, values.until!, (orders) =>
              scoped(orders, ORDER_TABLE.tenant),
            ),
          { ...idSlots(merchantIds).values, ...windowSlots(days) },
        ),
      ),
    );
  const byId = projectedByIdLoader(db, Order, ORDER_TABLE);
  return {
    byId,
    /** Through another entity's to-one relation, by that entity's ids (a field read ahead). */
    through: projectedThroughLoader(db, Order, ORDER_TABLE),
    /** By id, reading the columns the fields asked need (null: all). */
    byFields: (fields: ReadonlySet<string> | null) => byId(db.columnsFor(Order, fields, ORDER_FIELD_READS)),
    lines: projectedChildrenLoader(db, OrderLine, {
      ...ORDER_LINE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['line_no'],
    }),
    // In the order they were recorded; `changedAt` may be back-dated by the platform.
    statusHistory: childrenLoader(db, OrderStatusChange, {
      ...ORDER_STATUS_CHANGE_TABLE,
      parentColumn: 'order_id',
      orderBy: ['created_at', 'id'],
    }),
    byMerchant: connectionOf('merchant_id'),
    byBuyer: connectionOf('buyer_id'),
    /** Distinct and repeat buyers per merchant over the high-repurchase window: one query for all. */
    repurchase: new DataLoader<string, { buyers: number; repeatBuyers: number }>(async (merchantIds) => {
      const rows = await withNumberInForce(
        policyNow,
        (numbers) => numbers.highRepurchase.windowDays,
        (days) => perMerchantOverWindow('repurchase', repurchaseQuery, merchantIds, days),
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
    recentOrderCount: new DataLoader<string, number>(async (merchantIds) => {
      const rows = await withNumberInForce(
        policyNow,
        (numbers) => numbers.trust.windowDays,
        (days) => perMerchantOverWindow('recentOrderCount', orderCountsQuery, merchantIds, days),
      );
      const byMerchant = new Map(rows.map((row) => [row.merchant_id as string, Number(row.n)]));
      return merchantIds.map((id) => byMerchant.get(id) ?? 0);
    }),
  };
}

declare module '../../db/session' {
  interface Loaders {
    orders: ReturnType<typeof createOrderLoaders>;
  }
}
