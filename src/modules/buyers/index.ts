import type { GatewayModule } from '../../server/gateway-module';
import { Buyer } from './buyer.entity';
import { createBuyerLoaders } from './buyers.loaders';
import { BuyersResolver } from './buyers.resolver';

export const buyersModule: GatewayModule = {
  name: 'buyers',
  entities: [Buyer],
  resolvers: [BuyersResolver],
  loaders: { key: 'buyers', create: createBuyerLoaders },
};
