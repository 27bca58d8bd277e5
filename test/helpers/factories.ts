import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../src/graphql/global-id';
import { Buyer } from '../../src/modules/buyers/buyer.entity';
import { Merchant } from '../../src/modules/merchants/merchant.entity';
import { Order, OrderLine } from '../../src/modules/orders/order.entity';
import { Product, ProductPrice } from '../../src/modules/products/product.entity';
import { MerchantTier, OrderStatus, Province, SalesPlatform } from '../../src/shared/enums';
import type { OrderInput } from '../generated/graphql';

const unique = () => randomUUID().slice(0, 8);

/** Test data written straight to the database, so each test sets up exactly the world it needs. */
export function factories(orm: MikroORM) {
  return {
    async merchant(values: Partial<Merchant> = {}) {
      const em = orm.em.fork();
      const merchant = em.create(Merchant, {
        externalId: `SHOP-${unique()}`,
        name: `测试商家${unique()}`,
        tier: MerchantTier.STANDARD,
        mainCategory: '家居',
        region: Province.ZHEJIANG,
        deposit: 100_000,
        ...values,
      });
      await em.flush();
      return merchant;
    },

    async buyer(values: Partial<Buyer> = {}) {
      const em = orm.em.fork();
      const buyer = em.create(Buyer, { externalId: `BUYER-${unique()}`, nickname: `买家${unique()}`, ...values });
      await em.flush();
      return buyer;
    },

    async product(merchant: Merchant, values: Partial<Product> = {}) {
      const em = orm.em.fork();
      const product = em.create(Product, {
        merchant: em.getReference(Merchant, merchant.id),
        externalId: `SKU-${unique()}`,
        title: '纯棉T恤',
        category: '服装',
        currentPrice: 9_900,
        ...values,
      });
      em.create(ProductPrice, { product, price: product.currentPrice, effectiveFrom: new Date() });
      await em.flush();
      return product;
    },

    /**
     * Orders for merchants in one flush: `count` per merchant, each with `linesEach` lines; `values`
     * sets any column (a shipped time, say). Written straight, so no order events follow.
     */
    async orders(
      rows: {
        merchant: Merchant;
        buyer: Buyer;
        product: Product;
        count: number;
        status?: OrderStatus;
        values?: Partial<Order>;
      }[],
      linesEach = 1,
    ): Promise<Order[]> {
      const created: Order[] = [];
      const em = orm.em.fork();
      let n = 0;
      for (const row of rows) {
        for (let i = 0; i < row.count; i++) {
          const paidAt = new Date(Date.now() - ++n * 60_000);
          const order = em.create(Order, {
            platform: SalesPlatform.PINDUODUO,
            externalNumber: `T${unique()}${n}`,
            merchant: em.getReference(Merchant, row.merchant.id),
            buyer: em.getReference(Buyer, row.buyer.id),
            status: row.status ?? OrderStatus.PAID,
            paidAmount: 9_900 * linesEach,
            shippingFee: 0,
            destinationRegion: Province.JIANGSU,
            remoteRegion: false,
            promoted: false,
            promotionFee: 0,
            custom: false,
            hosted: false,
            paidAt,
            shipBy: new Date(paidAt.getTime() + 48 * 3_600_000),
            contentHash: 'factory',
            ...row.values,
          });
          created.push(order);
          for (let line = 1; line <= linesEach; line++) {
            em.create(OrderLine, {
              order,
              lineNo: line,
              product: em.getReference(Product, row.product.id),
              quantity: 1,
              unitPrice: 9_900,
            });
          }
        }
      }
      await em.flush();
      return created;
    },
  };
}

export const gid = {
  merchant: (m: { id: string }) => toGlobalId('Merchant', m.id),
  buyer: (b: { id: string }) => toGlobalId('Buyer', b.id),
  product: (p: { id: string }) => toGlobalId('Product', p.id),
  order: (o: { id: string }) => toGlobalId('Order', o.id),
};

/** A valid ingest item; tests override what they exercise. A paid amount above the default lines buys one line of that price. */
export function orderInput(
  refs: { merchant: Merchant; buyer: Buyer; product: Product },
  values: Partial<OrderInput> = {},
): OrderInput {
  const lines =
    values.paidAmount && !values.lines && Number(values.paidAmount) > 198
      ? [{ productId: gid.product(refs.product), quantity: 1, unitPrice: values.paidAmount }]
      : [{ productId: gid.product(refs.product), quantity: 2, unitPrice: '99.00' }];
  return {
    platform: 'PINDUODUO',
    externalNumber: `PDD${unique()}`,
    merchantId: gid.merchant(refs.merchant),
    buyerId: gid.buyer(refs.buyer),
    lines,
    paidAmount: '198.00',
    shippingFee: '0',
    destinationRegion: 'JIANGSU',
    paidAt: new Date(Date.now() - 3_600_000).toISOString(),
    ...values,
  };
}
