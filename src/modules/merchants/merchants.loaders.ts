import { MERCHANT_FIELD_READS } from './merchants.types';
import { byIdLoader, childrenLoader, loaderSet, projectedLoaders } from '../../graphql/loaders';
import { Merchant, MerchantStatusChange } from './merchant.entity';
import { MERCHANT_STATUS_CHANGE_TABLE, MERCHANT_TABLE } from './merchants.query';

export const createMerchantLoaders = loaderSet({
  ...projectedLoaders(Merchant, MERCHANT_TABLE, MERCHANT_FIELD_READS),
  statusChangeById: (db) => byIdLoader(db, MerchantStatusChange, MERCHANT_STATUS_CHANGE_TABLE),
  statusHistory: (db) =>
    childrenLoader(db, MerchantStatusChange, {
      ...MERCHANT_STATUS_CHANGE_TABLE,
      parentColumn: 'merchant_id',
      orderBy: ['created_at', 'id'],
    }),
});

declare module '../../db/session' {
  interface Loaders {
    merchants: ReturnType<typeof createMerchantLoaders>;
  }
}
