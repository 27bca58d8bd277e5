import type { GatewayModule } from '../../server/gateway-module';
import { AfterSalesCase, CaseStatusChange, CaseEvidence, CaseMessage, RefundOnlyTally } from './after-sales.entity';
import { createAfterSalesLoaders } from './after-sales.loaders';
import {
  AfterSalesResolver,
  MerchantAfterSalesResolver,
  ProductAfterSalesResolver,
  BuyerAfterSalesResolver,
  OrderAfterSalesResolver,
} from './after-sales.resolver';

export const afterSalesModule: GatewayModule = {
  name: 'after-sales',
  entities: [AfterSalesCase, CaseStatusChange, CaseEvidence, CaseMessage, RefundOnlyTally],
  resolvers: [
    AfterSalesResolver,
    MerchantAfterSalesResolver,
    ProductAfterSalesResolver,
    BuyerAfterSalesResolver,
    OrderAfterSalesResolver,
  ],
  loaders: { key: 'afterSales', create: createAfterSalesLoaders },
};
