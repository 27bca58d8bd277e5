import type { GatewayModule } from '../../server/gateway-module';
import { Order, OrderLine, OrderStatusChange } from './order.entity';
import { createOrderLoaders } from './orders.loaders';
import { OrdersResolver, OrderLineResolver, MerchantOrdersResolver, BuyerOrdersResolver } from './orders.resolver';

export const ordersModule: GatewayModule = {
  name: 'orders',
  entities: [Order, OrderLine, OrderStatusChange],
  resolvers: [OrdersResolver, OrderLineResolver, MerchantOrdersResolver, BuyerOrdersResolver],
  loaders: { key: 'orders', create: createOrderLoaders },
};
