import type { TenantDb } from '../../db/tenant-db';
import { byIdLoader } from '../../graphql/loaders';
import { Buyer } from './buyer.entity';
import { BUYER_TABLE } from './buyers.query';

export function createBuyerLoaders(db: TenantDb) {
  return { byId: byIdLoader(db, Buyer, BUYER_TABLE) };
}
