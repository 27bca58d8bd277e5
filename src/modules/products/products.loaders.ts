import { type PageArgs, SortDirection } from '../../graphql/connection';
import { childConnectionLoader } from '../../graphql/child-connection';
import { byIdLoader, childrenLoader, loaderSet, projectedThroughLoader } from '../../graphql/loaders';
import { Product, ProductPrice } from './product.entity';
import { PRODUCT_PRICE_TABLE, PRODUCT_TABLE } from './products.query';

export const createProductLoaders = loaderSet({
  byId: (db) => byIdLoader(db, Product, PRODUCT_TABLE),
  /** Through another entity's to-one relation, by that entity's ids (a field read ahead). */
  through: (db) => projectedThroughLoader(db, Product, PRODUCT_TABLE),
  priceHistory: (db) =>
    childrenLoader(db, ProductPrice, {
      ...PRODUCT_PRICE_TABLE,
      parentColumn: 'product_id',
      orderBy: ['effective_from', 'id'],
    }),
  byMerchant: (db) =>
    childConnectionLoader<Product, PageArgs>(db, Product, {
      shape: 'products.ofMerchant',
      ...PRODUCT_TABLE,
      parentColumn: 'merchant_id',
      where: () => () => {},
      sort: () => ({ key: 'CREATED_AT', column: 'created_at', direction: SortDirection.ASC }),
    }),
});

declare module '../../db/session' {
  interface Loaders {
    products: ReturnType<typeof createProductLoaders>;
  }
}
