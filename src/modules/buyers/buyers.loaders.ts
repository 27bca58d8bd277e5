import type { TenantDb } from '../../db/tenant-db';
import { projectedByIdLoader } from '../../graphql/loaders';
import { Buyer } from './buyer.entity';
import { BUYER_TABLE } from './buyers.query';

export function createBuyerLoaders(db: TenantDb) {
  return { byId: projectedByIdLoader(db, Buyer, BUYER_TABLE) };
}

declare module '../../server/gateway-module' {
  interface Loaders {
    buyers: ReturnType<typeof createBuyerLoaders>;
  }
}
