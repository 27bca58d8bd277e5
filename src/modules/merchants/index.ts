import type { GatewayModule } from '../../server/gateway-module';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { createMerchantLoaders } from './merchants.loaders';
import { MerchantsResolver, MerchantStatusChangeResolver } from './merchants.resolver';

export const merchantsModule: GatewayModule = {
  name: 'merchants',
  entities: [Merchant, MerchantStatusChange],
  resolvers: [MerchantsResolver, MerchantStatusChangeResolver],
  loaders: { key: 'merchants', create: createMerchantLoaders },
};
