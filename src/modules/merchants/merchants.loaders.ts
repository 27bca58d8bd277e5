import type { TenantDb } from '../../db/tenant-db';
import { byIdLoader, childrenLoader, projectedByIdLoader } from '../../graphql/loaders';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { MERCHANT_STATUS_CHANGE_TABLE, MERCHANT_TABLE } from './merchants.query';

export function createMerchantLoaders(db: TenantDb) {
  return {
    byId: projectedByIdLoader(db, Merchant, MERCHANT_TABLE),
    statusChangeById: byIdLoader(db, MerchantStatusChange, MERCHANT_STATUS_CHANGE_TABLE),
    statusHistory: childrenLoader(db, MerchantStatusChange, {
      ...MERCHANT_STATUS_CHANGE_TABLE,
      parentColumn: 'merchant_id',
      orderBy: ['created_at', 'id'],
    }),
  };
}

declare module '../../server/gateway-module' {
  interface Loaders {
    merchants: ReturnType<typeof createMerchantLoaders>;
  }
}
