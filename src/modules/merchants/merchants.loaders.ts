import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, childrenLoader } from '../../graphql/loaders';
import { Merchant, MerchantStatusChange } from './merchant.entity';

export function createMerchantLoaders(em: EntityManager) {
  return {
    byId: byIdLoader(em, Merchant),
    statusHistory: childrenLoader(em, MerchantStatusChange, 'merchant', { createdAt: 'asc', id: 'asc' }),
  };
}
