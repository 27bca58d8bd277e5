import type { EntityManager } from '@mikro-orm/postgresql';
import { childConnectionLoader, type PageArgs, SortDirection } from '../../graphql/connection';
import { byIdLoader, childrenLoader } from '../../graphql/loaders';
import { Product, ProductPrice } from './product.entity';

export function createProductLoaders(em: EntityManager) {
  return {
    byId: byIdLoader(em, Product),
    priceHistory: childrenLoader(em, ProductPrice, 'product', { effectiveFrom: 'asc', id: 'asc' }),
    byMerchant: childConnectionLoader<Product, PageArgs>(em, Product, {
      table: 'product',
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: () => ({ key: 'CREATED_AT', column: 'created_at', direction: SortDirection.ASC }),
    }),
  };
}
