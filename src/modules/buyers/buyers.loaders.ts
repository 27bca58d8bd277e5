import { BUYER_FIELD_READS } from './buyers.types';
import type { TenantDb } from '../../db/tenant-db';
import { projectedByIdLoader, projectedThroughLoader } from '../../graphql/loaders';
import { Buyer } from './buyer.entity';
import { BUYER_TABLE } from './buyers.query';

export function createBuyerLoaders(db: TenantDb) {
  const byId = projectedByIdLoader(db, Buyer, BUYER_TABLE);
  return {
    byId,
    /** Through another entity's to-one relation, by that entity's ids (a field read ahead). */
    through: projectedThroughLoader(db, Buyer, BUYER_TABLE),
    /** By id, reading the columns the fields asked need (null: all). */
    byFields: (fields: ReadonlySet<string> | null) => byId(db.columnsFor(Buyer, fields, BUYER_FIELD_READS)),
  };
}

declare module '../../db/session' {
  interface Loaders {
    buyers: ReturnType<typeof createBuyerLoaders>;
  }
}
