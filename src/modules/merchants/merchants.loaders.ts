import { MERCHANT_FIELD_READS } from './merchants.types';
import type { TenantDb } from '../../db/tenant-db';
import { byIdLoader, childrenLoader, projectedByIdLoader, projectedThroughLoader } from '../../graphql/loaders';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { MERCHANT_STATUS_CHANGE_TABLE, MERCHANT_TABLE } from './merchants.query';

export function createMerchantLoaders(db: TenantDb) {
  const byId = projectedByIdLoader(db, Merchant, MERCHANT_TABLE);
  return {
    byId,
    /** Through another entity's to-one relation, by that entity's ids (a field read ahead). */
    through: projectedThroughLoader(db, Merchant, MERCHANT_TABLE),
    /** By id, reading the columns the fields asked need (null: all). */
    byFields: (fields: ReadonlySet<string> | null) => byId(db.columnsFor(Merchant, fields, MERCHANT_FIELD_READS)),
    statusChangeById: byIdLoader(db, MerchantStatusChange, MERCHANT_STATUS_CHANGE_TABLE),
    statusHistory: childrenLoader(db, MerchantStatusChange, {
      ...MERCHANT_STATUS_CHANGE_TABLE,
      parentColumn: 'merchant_id',
      orderBy: ['created_at', 'id'],
    }),
  };
}

declare module '../../db/session' {
  interface Loaders {
    merchants: ReturnType<typeof createMerchantLoaders>;
  }
}
