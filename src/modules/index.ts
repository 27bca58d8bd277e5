import type { Options } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../db/mikro-orm.config';
import { getSchema } from '../graphql/schema';
import { getSubgraphSchema } from '../graphql/subgraph';
import type { Composition, GatewayModule } from '../server/gateway-module';
import { afterSalesModule } from './after-sales';
import { appealsModule } from './appeals';
import { auditModule } from './audit';
import { buyersModule } from './buyers';
import { registerEventHandlers } from './event-handlers';
import { ledgerModule } from './ledger';
import { liveModule } from './live';
import { LiveHub } from './live/live.hub';
import { merchantsModule } from './merchants';
import { ordersModule } from './orders';
import { policiesModule } from './policies';
import { productsModule } from './products';
import { trustModule } from './trust';
import { warningsModule } from './warnings';

/**
 * The composition root: the modules the gateway is made of. A new module is one line here; the ORM,
 * the schema and the request context take what each module declares in its own index.ts.
 */
export const MODULES: readonly GatewayModule[] = [
  merchantsModule,
  buyersModule,
  productsModule,
  ordersModule,
  policiesModule,
  ledgerModule,
  afterSalesModule,
  trustModule,
  warningsModule,
  appealsModule,
  auditModule,
  liveModule,
];

export const GATEWAY: Composition = {
  modules: MODULES,
  registerEventHandlers,
  createLiveFeed: (maxQueuedEvents) => new LiveHub(maxQueuedEvents),
};

export const ENTITIES = MODULES.flatMap((module) => module.entities);

/** The MikroORM config of the gateway's entities. */
export function ormConfig(clientUrl: string, options: { debug?: boolean; poolMax?: number } = {}): Options {
  return createOrmConfig(clientUrl, ENTITIES, options);
}

/** The gateway's GraphQL schema (built once). */
export const gatewaySchema = () => getSchema(MODULES);

/** The same schema as a Federation 2 subgraph. */
export const gatewaySubgraphSchema = () => getSubgraphSchema(MODULES);
