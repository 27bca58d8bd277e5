import type { ServiceContext } from '../../db/session';
import { randomUUID } from 'node:crypto';
import { canReachMerchant } from '../../db/tenant-db';
import { runMutation, type Tx } from '../../db/transaction';
import { countAsked, type Page, type PageArgs } from '../../graphql/connection';
import type { RelationOf } from '../../graphql/loaders';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { DAY_MS } from '../../shared/time';
import { merchantsService } from '../merchants/merchants.service';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { isLowPrice, medianPrice } from './products.rules';
import { Product, ProductPrice } from './product.entity';
import type { UpsertProductInput } from './products.types';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';

export const productsService = {
  load(ctx: ServiceContext, id: string): Promise<Product | null> {
    return ctx.loaders.products.byId.load(id);
  },

  /** The product a to-one relation of another module's row points at, by that row's id (a field read ahead). */
  loadOf(ctx: ServiceContext, via: RelationOf): Promise<Product | null> {
    return ctx.loaders.products.through(ctx.db.relation(via.entity, via.property), null).load(via.id);
  },

  /** The product behind a key the caller's row holds, unread, when only its id is asked for. */
  reference(ctx: ServiceContext, id: string): Product {
    return ctx.db.reference(Product, id);
  },

  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    page: PageArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<Product>> {
    return ctx.loaders.products.byMerchant.load({ parentId: merchantId, args: page, ...countAsked(asked) });
  },

  priceHistory(ctx: ServiceContext, product: Product): Promise<ProductPrice[]> {
    return ctx.loaders.products.priceHistory.load(product.id);
  },

  /** For other modules' transactions: the products that exist among `ids`. */
  findByIds(ctx: ServiceContext, ids: string[]): Promise<Product[]> {
    return ids.length ? ctx.em.find(Product, { id: { $in: ids } }) : Promise.resolve([]);
  },

  /**
   * Creates or updates a product. A new price far below the product's own median over the policy's
   * window (低价风险) is held, not applied: the product keeps its price and the warnings module tells
   * the merchant, who may confirm it.
   */
  upsert(ctx: ServiceContext, input: UpsertProductInput & { merchantId: string }) {
    return runMutation(ctx, async (tx) => {
      const { em, scope } = tx;
      const [merchant] = canReachMerchant(scope, input.merchantId)
        ? await merchantsService.findByIds(tx, [input.merchantId])
        : [];
      if (!merchant) throw new Refused([refusal(RefusalCode.NOT_FOUND, 'no such merchant', ['input', 'merchantId'])]);
      const now = tx.now();
      const values = { title: input.title, category: input.category, currentPrice: input.price };
      const existing = await em.findOne(Product, { merchant, externalId: input.externalId });
      if (existing) {
        if (existing.currentPrice !== input.price) {
          const policy = versionInForce(await policiesService.timelineIn(tx), now);
          const { windowDays, belowMedianBp } = policy.numbers.lowPriceWarning;
          const median = medianPrice(await pricesInWindow(tx, existing, new Date(now.getTime() - windowDays * DAY_MS)));
          if (isLowPrice(input.price, median, belowMedianBp)) {
            em.assign(existing, { title: input.title, category: input.category });
            await tx.emit({
              type: 'ProductPriceHeld',
              warningId: randomUUID(),
              productId: existing.id,
              merchantId: merchant.id,
              heldPrice: input.price,
              medianPrice: median!,
              belowMedianBp,
              policyVersion: policy.version,
              at: now,
            });
            return { product: existing, created: false, priceHeld: true };
          }
          em.create(ProductPrice, { product: existing, price: input.price, effectiveFrom: now });
        }
        em.assign(existing, values);
        return { product: existing, created: false, priceHeld: false };
      }
      const product = em.create(Product, { merchant, externalId: input.externalId, ...values });
      em.create(ProductPrice, { product, price: input.price, effectiveFrom: now });
      return { product, created: true, priceHeld: false };
    });
  },

  /** For the warnings module: the merchant confirmed a held price; it applies now. */
  async applyPrice(tx: Tx, productId: string, price: number): Promise<void> {
    const product = await tx.em.findOne(Product, { id: productId });
    if (!product) return;
    const now = tx.now();
    tx.em.create(ProductPrice, { product, price, effectiveFrom: now });
    product.currentPrice = price;
  },
};

/** The prices a product had in force during the window: those set inside it and the one it began with. */
async function pricesInWindow(ctx: ServiceContext, product: Product, since: Date): Promise<number[]> {
  const inside = await ctx.em.find(ProductPrice, { product, effectiveFrom: { $gte: since } });
  const before = await ctx.em.findOne(
    ProductPrice,
    { product, effectiveFrom: { $lt: since } },
    { orderBy: { effectiveFrom: 'desc' } },
  );
  return [...(before ? [before.price] : []), ...inside.map((p) => p.price)];
}
