import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createBuyerLoaders } from '../modules/buyers/buyers.loaders';
import { createMerchantLoaders } from '../modules/merchants/merchants.loaders';
import { createOrderLoaders } from '../modules/orders/orders.loaders';
import { DEFAULT_POLICY, type PolicyNumbers } from '../modules/policies/policy.defaults';
import { createProductLoaders } from '../modules/products/products.loaders';

/** Who is acting. Authentication (the security issue) replaces the anonymous placeholder. */
export interface Actor {
  id: string;
}

export const ANONYMOUS: Actor = Object.freeze({ id: 'anonymous' });

function createLoaders(em: EntityManager) {
  return {
    merchants: createMerchantLoaders(em),
    buyers: createBuyerLoaders(em),
    products: createProductLoaders(em),
    orders: createOrderLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Built once per request: its own EntityManager fork (no global context), its own loaders. */
export interface RequestContext {
  requestId: string;
  em: EntityManager;
  actor: Actor;
  policy: Readonly<PolicyNumbers>;
  loaders: Loaders;
}

export function createRequestContext(
  orm: MikroORM,
  options: { actor?: Actor; requestId?: string } = {},
): RequestContext {
  const em = orm.em.fork();
  return {
    requestId: options.requestId ?? randomUUID(),
    em,
    actor: options.actor ?? ANONYMOUS,
    policy: DEFAULT_POLICY,
    loaders: createLoaders(em),
  };
}
