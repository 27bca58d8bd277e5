import type { EntityManager } from '@mikro-orm/postgresql';
import type { Page, PageArgs } from '../../graphql/connection';
import { parseIdInput, requireLocalId } from '../../graphql/ids';
import { UserErrorCode, UserInputFailure, userError, type UserError } from '../../graphql/user-error';
import { runMutation } from '../../db/transaction';
import type { RequestContext } from '../../server/context';
import { canReachMerchant } from '../../security/actor';
import { merchantsService } from '../merchants/merchants.service';
import { Product, ProductPrice } from './product.entity';
import type { UpsertProductInput } from './products.types';

export const productsService = {
  byId(ctx: RequestContext, globalId: string): Promise<Product | null> {
    return ctx.loaders.products.byId.load(requireLocalId('Product', globalId, 'id'));
  },

  load(ctx: RequestContext, id: string): Promise<Product | null> {
    return ctx.loaders.products.byId.load(id);
  },

  ofMerchant(ctx: RequestContext, merchantId: string, page: PageArgs): Promise<Page<Product>> {
    return ctx.loaders.products.byMerchant.load({ parentId: merchantId, args: page });
  },

  priceHistory(ctx: RequestContext, product: Product): Promise<ProductPrice[]> {
    return ctx.loaders.products.priceHistory.load(product.id);
  },

  findByIds(em: EntityManager, ids: string[]): Promise<Product[]> {
    return em.find(Product, { id: { $in: ids } });
  },

  upsert(ctx: RequestContext, input: UpsertProductInput) {
    return runMutation(ctx, async (em) => {
      const errors: UserError[] = [];
      const merchantId = parseIdInput('Merchant', input.merchantId, ['input', 'merchantId'], errors);
      if (!merchantId) throw new UserInputFailure(errors);
      const [merchant] = canReachMerchant(ctx.db.scope, merchantId) ? await merchantsService.findByIds(em, [merchantId]) : [];
      if (!merchant) throw new UserInputFailure([userError(UserErrorCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId'])]);
      const now = new Date();
      const values = { title: input.title, category: input.category, currentPrice: input.price };
      const existing = await em.findOne(Product, { merchant, externalId: input.externalId });
      if (existing) {
        if (existing.currentPrice !== input.price) em.create(ProductPrice, { product: existing, price: input.price, effectiveFrom: now });
        em.assign(existing, values);
        return { product: existing, created: false };
      }
      const product = em.create(Product, { merchant, externalId: input.externalId, ...values });
      em.create(ProductPrice, { product, price: input.price, effectiveFrom: now });
      return { product, created: true };
    });
  },
};
