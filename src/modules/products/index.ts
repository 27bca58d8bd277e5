import type { GatewayModule } from '../../server/gateway-module';
import { Product, ProductPrice } from './product.entity';
import { createProductLoaders } from './products.loaders';
import { ProductsResolver, ProductPricePointResolver, MerchantProductsResolver } from './products.resolver';

export const productsModule: GatewayModule = {
  name: 'products',
  entities: [Product, ProductPrice],
  resolvers: [ProductsResolver, ProductPricePointResolver, MerchantProductsResolver],
  loaders: { key: 'products', create: createProductLoaders },
};
