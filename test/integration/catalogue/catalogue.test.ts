import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../src/shared/time';
import {
  BuyerDocument,
  IngestOrdersDocument,
  NodeDocument,
  NodesDocument,
  ProductDocument,
  UpsertBuyerDocument,
  UpsertProductDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

describe('buyers, products and nodes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('upsertBuyer keeps flags; buyer.orders lists the buyer’s orders', async () => {
    const created = await app.data(UpsertBuyerDocument, {
      input: { externalId: 'B-1', nickname: '张三', flags: ['SUPER_BUYER'] },
    });
    expect(created.upsertBuyer).toMatchObject({ created: true, buyer: { flags: ['SUPER_BUYER'] } });
    const tagged = await app.data(UpsertBuyerDocument, {
      input: { externalId: 'B-1', nickname: '张三', flags: ['MALICIOUS', 'SUPER_BUYER'] },
    });
    expect(tagged.upsertBuyer).toMatchObject({ created: false, buyer: { flags: ['SUPER_BUYER', 'MALICIOUS'] } });

    const make = factories(app.orm);
    const merchant = await make.merchant();
    const product = await make.product(merchant);
    const buyerId = tagged.upsertBuyer.buyer!.id;
    await app.data(IngestOrdersDocument, {
      input: [orderInput({ merchant, product, buyer: { id: buyerId } as never }, { buyerId })],
    });
    const { buyer } = await app.data(BuyerDocument, { id: buyerId, first: 5 });
    expect(buyer?.orders.totalCount).toBe(1);
  });

  it('upsertProduct records each new price in the history; an unknown merchant is a userError', async () => {
    const merchant = await factories(app.orm).merchant();
    const input = {
      merchantId: gid.merchant(merchant),
      externalId: 'SKU-1',
      title: '电饭煲',
      category: '家电',
      price: '299.00',
    };
    const created = await app.data(UpsertProductDocument, { input });
    await app.data(UpsertProductDocument, { input: { ...input, price: '299.00' } });
    const repriced = await app.data(UpsertProductDocument, { input: { ...input, price: '259.00' } });
    expect(repriced.upsertProduct.product?.id).toBe(created.upsertProduct.product?.id);
    expect(repriced.upsertProduct.product?.priceHistory.map((p) => p.price.amount)).toEqual(['299.00', '259.00']);

    const { product } = await app.data(ProductDocument, { id: created.upsertProduct.product!.id });
    expect(product).toMatchObject({ currentPrice: { amount: '259.00' }, merchant: { id: gid.merchant(merchant) } });

    const orphan = await app.data(UpsertProductDocument, {
      input: { ...input, merchantId: gid.merchant({ id: '00000000-0000-4000-8000-000000000000' }) },
    });
    expect(orphan.upsertProduct.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'merchantId'] }),
    ]);
  });

  it("a new price takes effect at the context's time, not the wall clock's", async () => {
    const merchant = await factories(app.orm).merchant();
    const reprice = parse(
      `mutation ($input: UpsertProductInput!) { upsertProduct(input: $input) {
        product { priceHistory { effectiveFrom price { amount } } } userErrors { code } } }`,
    ) as unknown as TypedDocumentNode<
      { upsertProduct: { product: { priceHistory: { effectiveFrom: string; price: { amount: string } }[] } } },
      { input: Record<string, unknown> }
    >;
    const input = { merchantId: gid.merchant(merchant), externalId: 'SKU-CLOCK', title: '电饭煲', category: '家电' };
    await app.data(reprice, { input: { ...input, price: '299.00' } });
    app.clock.advance(2 * DAY_MS);
    try {
      const { upsertProduct } = await app.data(reprice, { input: { ...input, price: '259.00' } });
      const [first, second] = upsertProduct.product.priceHistory;
      expect(Date.parse(first.effectiveFrom)).toBeLessThan(Date.now() + DAY_MS);
      expect(Date.parse(second.effectiveFrom)).toBeGreaterThan(Date.now() + DAY_MS);
    } finally {
      app.clock.reset();
    }
  });

  it('node and nodes resolve any global id to its type; unknown and malformed ids are null', async () => {
    const merchant = await factories(app.orm).merchant({ name: '节点商家' });
    const { node } = await app.data(NodeDocument, { id: gid.merchant(merchant) });
    expect(node).toEqual({ __typename: 'Merchant', id: gid.merchant(merchant), name: '节点商家' });
    expect((await app.data(NodeDocument, { id: 'garbage' })).node).toBeNull();
    const { nodes } = await app.data(NodesDocument, {
      ids: [gid.merchant(merchant), gid.order({ id: '00000000-0000-4000-8000-000000000000' }), 'x'],
    });
    expect(nodes).toEqual([{ __typename: 'Merchant', id: gid.merchant(merchant) }, null, null]);
  });
});
