import type { EntityManager } from '@mikro-orm/postgresql';
import { childConnectionLoader } from '../../graphql/connection';
import { byIdLoader, childrenLoader } from '../../graphql/loaders';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import { orderSort, orderWhere, type OrderListArgs } from './orders.query';

export function createOrderLoaders(em: EntityManager) {
  const connectionOf = (parentColumn: string) =>
    childConnectionLoader<Order, OrderListArgs>(em, Order, {
      table: 'order',
      parentColumn,
      where: (args) => orderWhere(args.filter),
      sort: (args) => orderSort(args.sort),
    });
  return {
    byId: byIdLoader(em, Order),
    lines: childrenLoader(em, OrderLine, 'order', { lineNo: 'asc' }),
    // In the order they were recorded; `changedAt` may be back-dated by the platform.
    statusHistory: childrenLoader(em, OrderStatusChange, 'order', { createdAt: 'asc', id: 'asc' }),
    byMerchant: connectionOf('merchant_id'),
    byBuyer: connectionOf('buyer_id'),
  };
}
