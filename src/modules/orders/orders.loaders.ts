import type { TenantDb } from '../../db/tenant-db';
import { childConnectionLoader } from '../../graphql/connection';
import { byIdLoader, childrenLoader } from '../../graphql/loaders';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import {
  ORDER_LINE_TABLE,
  ORDER_STATUS_CHANGE_TABLE,
  ORDER_TABLE,
  orderSort,
  orderWhere,
  type OrderListArgs,
} from './orders.query';

export function createOrderLoaders(db: TenantDb) {
  const connectionOf = (parentColumn: string) =>
    childConnectionLoader<Order, OrderListArgs>(db, Order, {
      ...ORDER_TABLE,
      parentColumn,
      where: (args) => orderWhere(args.filter),
      sort: (args) => orderSort(args.sort),
    });
  return {
    byId: byIdLoader(db, Order, ORDER_TABLE),
    lines: childrenLoader(db, OrderLine, { ...ORDER_LINE_TABLE, parentColumn: 'order_id', orderBy: ['line_no'] }),
    // In the order they were recorded; `changedAt` may be back-dated by the platform.
    statusHistory: childrenLoader(db, OrderStatusChange, { ...ORDER_STATUS_CHANGE_TABLE, parentColumn: 'order_id', orderBy: ['created_at', 'id'] }),
    byMerchant: connectionOf('merchant_id'),
    byBuyer: connectionOf('buyer_id'),
  };
}
