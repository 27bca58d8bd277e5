import type { EntityManager } from '@mikro-orm/postgresql';
import { canReachMerchant } from '../../db/tenant-db';
import { runMutation, type Session } from '../../db/transaction';
import type { Page, PageArgs } from '../../graphql/connection';
import type { RequestContext } from '../../server/context';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { merchantsService } from '../merchants/merchants.service';
import { Product, ProductPrice } from './product.entity';
import type { UpsertProductInput } from './products.types';

export const productsService = {
  load(ctx: RequestContext, id: string): Promise<Product | null> {
    return ctx.loaders.products.byId.load(id);
  },

  ofMerchant(ctx: RequestContext, merchantId: string, page: PageArgs): Promise<Page<Product>> {
    return ctx.loaders.products.byMerchant.load({ parentId: merchantId, args: page });
  },

  priceHistory(ctx: RequestContext, product: Product): Promise<ProductPrice[]> {
    return ctx.loaders.products.priceHistory.load(product.id);
  },

  /** For other modules' transactions: the products that exist among `ids`. */
  findByIds(em: EntityManager, ids: string[]): Promise<Product[]> {
    return ids.length ? em.find(Product, { id: { $in: ids } }) : Promise.resolve([]);
  },

  upsert(session: Session, input: UpsertProductInput & { merchantId: string }) {
    return runMutation(session, async ({ em, scope }) => {
      const [merchant] = canReachMerchant(scope, input.merchantId)
        ? await merchantsService.findByIds(em, [input.merchantId])
        : [];
      if (!merchant) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId'])]);
      const now = new Date();
      const values = { title: input.title, category: input.category, currentPrice: input.price };
      const existing = await em.findOne(Product, { merchant, externalId: input.externalId });
      if (existing) {
        if (existing.currentPrice !== input.price)
          em.create(ProductPrice, { product: existing, price: input.price, effectiveFrom: now });
        em.assign(existing, values);
        return { product: existing, created: false };
      }
      const product = em.create(Product, { merchant, externalId: input.externalId, ...values });
      em.create(ProductPrice, { product, price: input.price, effectiveFrom: now });
      return { product, created: true };
    });
  },
};
