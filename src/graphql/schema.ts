import 'reflect-metadata';
import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import {
  AfterSalesResolver,
  BuyerAfterSalesResolver,
  MerchantAfterSalesResolver,
  OrderAfterSalesResolver,
  ProductAfterSalesResolver,
} from '../modules/after-sales/after-sales.resolver';
import { AppealsResolver, MerchantAppealsResolver } from '../modules/appeals/appeals.resolver';
import { AuditEntryResolver, MerchantAuditResolver } from '../modules/audit/audit.resolver';
import { LiveResolver } from '../modules/live/live.resolver';
import { BuyersResolver } from '../modules/buyers/buyers.resolver';
import { MerchantWarningsResolver, WarningsResolver } from '../modules/warnings/warnings.resolver';
import { LedgerResolver, MerchantLedgerResolver } from '../modules/ledger/ledger.resolver';
import {
  BuyerRiskResolver,
  MerchantTrustFieldsResolver,
  MerchantTrustResolver,
  ProductTrustResolver,
  TrustResolver,
} from '../modules/trust/trust.resolver';
import { PoliciesResolver } from '../modules/policies/policies.resolver';
import { MerchantStatusChangeResolver, MerchantsResolver } from '../modules/merchants/merchants.resolver';
import {
  BuyerOrdersResolver,
  MerchantOrdersResolver,
  OrderLineResolver,
  OrdersResolver,
} from '../modules/orders/orders.resolver';
import {
  MerchantProductsResolver,
  ProductPricePointResolver,
  ProductsResolver,
} from '../modules/products/products.resolver';
import { countUserErrors } from '../observability/requests';
import { authChecker, denyRootFieldsWithoutRule, guardFieldsBelowRoot } from '../security/authorization';
import { DateTimeScalar } from './date-time';
import { resolveDirectly } from './direct-resolvers';
import { resolveNodeTypeSynchronously } from './node';
import { NodeResolver } from './node.resolver';
import { validateArgument } from './validation';

export const resolvers = [
  NodeResolver,
  MerchantsResolver,
  MerchantStatusChangeResolver,
  BuyersResolver,
  ProductsResolver,
  ProductPricePointResolver,
  MerchantProductsResolver,
  OrdersResolver,
  OrderLineResolver,
  MerchantOrdersResolver,
  BuyerOrdersResolver,
  PoliciesResolver,
  LedgerResolver,
  AfterSalesResolver,
  MerchantAfterSalesResolver,
  ProductAfterSalesResolver,
  BuyerAfterSalesResolver,
  OrderAfterSalesResolver,
  MerchantLedgerResolver,
  TrustResolver,
  MerchantTrustFieldsResolver,
  MerchantTrustResolver,
  ProductTrustResolver,
  BuyerRiskResolver,
  WarningsResolver,
  MerchantWarningsResolver,
  AppealsResolver,
  MerchantAppealsResolver,
  MerchantAuditResolver,
  AuditEntryResolver,
  LiveResolver,
] as const;

/**
 * type-graphql wants a PubSub once a schema has subscriptions; ours subscribe through the live hub
 * themselves (`subscribe:`), so topics are never used.
 */
const noTopics = {
  publish(): void {
    throw new Error('subscriptions use the live hub, not topics');
  },
  subscribe(): AsyncIterable<unknown> {
    throw new Error('subscriptions use the live hub, not topics');
  },
};

let built: Promise<GraphQLSchema> | undefined;

/** The schema is built once per process: type-graphql's metadata is global anyway. */
export function getSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validateFn: validateArgument,
    authChecker,
    pubSub: noTopics,
  })
    .then(resolveDirectly)
    .then(resolveNodeTypeSynchronously)
    .then(denyRootFieldsWithoutRule)
    .then(guardFieldsBelowRoot)
    .then(countUserErrors);
  return built;
}

/** The committed snapshot's text: sorted, so it is byte-identical from run to run. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
