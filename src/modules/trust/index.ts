import type { GatewayModule } from '../../server/gateway-module';
import { ScoreEvent, MerchantScore, ProductScore, BuyerRisk } from './trust.entity';
import { createTrustLoaders } from './trust.loaders';
import {
  TrustResolver,
  MerchantTrustFieldsResolver,
  MerchantTrustResolver,
  ProductTrustResolver,
  BuyerRiskResolver,
} from './trust.resolver';

export const trustModule: GatewayModule = {
  name: 'trust',
  entities: [ScoreEvent, MerchantScore, ProductScore, BuyerRisk],
  resolvers: [
    TrustResolver,
    MerchantTrustFieldsResolver,
    MerchantTrustResolver,
    ProductTrustResolver,
    BuyerRiskResolver,
  ],
  loaders: { key: 'trust', create: createTrustLoaders },
};
