import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Order, OrderLine, OrderStatusChange } from '../../../src/modules/orders/order.entity';
import type { Buyer } from '../../../src/modules/buyers/buyer.entity';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import type { Product } from '../../../src/modules/products/product.entity';
import { IngestOrdersDocument, OrderDocument } from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

describe('ingestOrders', () => {
  let app: TestApp;
  let refs: { merchant: Merchant; buyer: Buyer; product: Product };
  const rowCounts = async () => {
    const em = app.orm.em.fork();
    return {
      orders: await em.count(Order),
      lines: await em.count(OrderLine),
      history: await em.count(OrderStatusChange),
    };
  };

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchant = await make.merchant();
    refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
  });
  afterAll(() => app?.close());

  it('stores an order with its lines, money exact, and an ingest entry in its history', async () => {
    const item = orderInput(refs, {
      promoted: true,
      promotionFee: '9.90',
      paidAmount: '198.00',
      shippingFee: '12.50',
      custom: true,
    });
    const { ingestOrders } = await app.data(IngestOrdersDocument, { input: [item] });
    expect(ingestOrders).toMatchObject({ createdCount: 1, duplicateCount: 0, rejectedCount: 0, userErrors: [] });
    const order = ingestOrders.results[0].order!;
    expect(order).toMatchObject({
      externalNumber: item.externalNumber,
      status: 'PAID',
      paidAmount: { amount: '198.00' },
      shippingFee: { amount: '12.50' },
      promotionFee: { amount: '9.90' },
      promoted: true,
      custom: true,
      merchant: { id: gid.merchant(refs.merchant) },
      buyer: { id: gid.buyer(refs.buyer) },
      lines: [
        {
          lineNo: 1,
          quantity: 2,
          unitPrice: { amount: '99.00' },
          amount: { amount: '198.00' },
          product: { id: gid.product(refs.product) },
        },
      ],
    });
  });

  it("defaults ship-by to the policy's 48 hours after payment and flags remote regions", async () => {
    const paidAt = '2026-01-10T08:00:00.000Z';
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [
        orderInput(refs, { paidAt, destinationRegion: 'XINJIANG' }),
        orderInput(refs, { paidAt, destinationRegion: 'GUANGDONG' }),
      ],
    });
    const [xinjiang, guangdong] = ingestOrders.results.map((r) => r.order!);
    expect(xinjiang.shipBy).toBe('2026-01-12T08:00:00.000Z');
    expect(xinjiang.remoteRegion).toBe(true);
    expect(guangdong.remoteRegion).toBe(false);
  });

  it('is idempotent: the same order again changes nothing and is reported as a duplicate', async () => {
    const item = orderInput(refs);
    const first = await app.data(IngestOrdersDocument, { input: [item] });
    const before = await rowCounts();
    const again = await app.data(IngestOrdersDocument, { input: [item] });
    expect(again.ingestOrders).toMatchObject({ createdCount: 0, duplicateCount: 1, rejectedCount: 0 });
    expect(again.ingestOrders.results[0]).toMatchObject({
      outcome: 'DUPLICATE',
      order: { id: first.ingestOrders.results[0].order!.id },
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('rejects the same number with different content, leaving the stored order as it was', async () => {
    const item = orderInput(refs);
    await app.data(IngestOrdersDocument, { input: [item] });
    const before = await rowCounts();
    const conflicting = await app.data(IngestOrdersDocument, { input: [{ ...item, paidAmount: '1.00' }] });
    expect(conflicting.ingestOrders.results[0]).toMatchObject({
      outcome: 'REJECTED',
      order: null,
      userErrors: [{ code: 'DUPLICATE_CONFLICT', field: ['input', '0', 'externalNumber'] }],
    });
    expect(await rowCounts()).toEqual(before);
    const stored = await app.orm.em.fork().findOneOrFail(Order, { externalNumber: item.externalNumber });
    expect(stored.paidAmount).toBe(19_800);
  });

  it('the same number on another platform is another order', async () => {
    const item = orderInput(refs);
    const { ingestOrders } = await app.data(IngestOrdersDocument, { input: [item, { ...item, platform: 'DOUYIN' }] });
    expect(ingestOrders.createdCount).toBe(2);
  });

  it('commits the accepted items together and writes nothing for rejected ones, each error naming its field', async () => {
    const before = await rowCounts();
    const unknownMerchant = gid.merchant({ id: '00000000-0000-4000-8000-000000000000' });
    const other = await factories(app.orm).merchant();
    const foreignProduct = await factories(app.orm).product(other);
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [
        orderInput(refs),
        orderInput(refs, { merchantId: unknownMerchant }),
        orderInput(refs, { buyerId: 'not-an-id' }),
        orderInput(refs, { lines: [{ productId: gid.product(foreignProduct), quantity: 1, unitPrice: '198' }] }),
        orderInput(refs, { status: 'SHIPPED' }),
        orderInput(refs, { promotionFee: '5.00' }),
        orderInput(refs, { lines: [] }),
        orderInput(refs),
      ],
    });
    expect(ingestOrders).toMatchObject({ createdCount: 2, rejectedCount: 6 });
    const errorsAt = (i: number) => ingestOrders.results[i].userErrors.map((e) => [e.code, e.field?.join('.')]);
    expect(errorsAt(1)).toEqual([['NOT_FOUND', 'input.1.merchantId']]);
    expect(errorsAt(2)).toEqual([['INVALID_ID', 'input.2.buyerId']]);
    expect(errorsAt(3)).toEqual([['INVALID_INPUT', 'input.3.lines.0.productId']]);
    expect(errorsAt(4)).toEqual([['INVALID_INPUT', 'input.4.shippedAt']]);
    expect(errorsAt(5)).toEqual([['INVALID_INPUT', 'input.5.promotionFee']]);
    expect(errorsAt(6)).toEqual([['INVALID_INPUT', 'input.6.lines']]);
    const after = await rowCounts();
    expect(after.orders - before.orders).toBe(2);
    expect(after.lines - before.lines).toBe(2);
    expect(after.history - before.history).toBe(2);
  });

  it('refuses an empty batch and one over 1,000 items, writing nothing', async () => {
    const before = await rowCounts();
    const empty = await app.data(IngestOrdersDocument, { input: [] });
    expect(empty.ingestOrders.userErrors).toEqual([expect.objectContaining({ code: 'BATCH_EMPTY', field: ['input'] })]);
    const oversize = await app.data(IngestOrdersDocument, {
      input: Array.from({ length: 1001 }, () => orderInput(refs)),
    });
    expect(oversize.ingestOrders.userErrors).toEqual([
      expect.objectContaining({ code: 'BATCH_TOO_LARGE', field: ['input'] }),
    ]);
    expect(oversize.ingestOrders.results).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('stores a full batch of 1,000 new shipped orders, with their score events, in as many statements as 10', async () => {
    const shipped = (n: number) =>
      Array.from({ length: n }, () =>
        orderInput(refs, {
          status: 'SHIPPED',
          paidAt: new Date(Date.now() - 30 * 3_600_000).toISOString(),
          shippedAt: new Date(Date.now() - 3_600_000).toISOString(),
        }),
      );
    const few = await app.statementsOf(IngestOrdersDocument, { input: shipped(10) });
    const items = shipped(1000);
    const many = await app.statementsOf(IngestOrdersDocument, { input: items });
    expect(many.length).toBe(few.length);
    // Inserted by the statement that reads the new sums.
    expect(many.filter((sql) => /insert into "score_event"/.test(sql))).toHaveLength(1);
    const resent = await app.data(IngestOrdersDocument, { input: items });
    expect(resent.ingestOrders.duplicateCount).toBe(1000);
  });

  it('rejects negative money and unknown enums as GraphQL validation errors naming the variable', async () => {
    const negative = await app.execute(IngestOrdersDocument, { input: [orderInput(refs, { paidAmount: '-5' })] });
    expect(negative.errors?.[0].message).toMatch(/input.*paidAmount|YuanAmount/);
    const unknownRegion = await app.execute(IngestOrdersDocument, {
      input: [orderInput(refs, { destinationRegion: 'ATLANTIS' as never })],
    });
    expect(unknownRegion.errors?.[0].message).toMatch(/destinationRegion/);
  });

  it('two concurrent calls with the same new order store it once', async () => {
    const item = orderInput(refs);
    const results = await Promise.all([
      app.data(IngestOrdersDocument, { input: [item] }),
      app.data(IngestOrdersDocument, { input: [item] }),
    ]);
    expect(results.map((r) => r.ingestOrders.results[0].outcome).sort()).toEqual(['CREATED', 'DUPLICATE']);
    expect(await app.orm.em.fork().count(Order, { externalNumber: item.externalNumber })).toBe(1);
  });

  it('one poison order cannot break listings: amounts are bounded, paid is checked against the lines, reads stay exact', async () => {
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [
        orderInput(refs, {
          lines: [{ productId: gid.product(refs.product), quantity: 1_000_000, unitPrice: '9999999999999.99' }],
        }),
        orderInput(refs, {
          paidAmount: '9999999.00',
          lines: [{ productId: gid.product(refs.product), quantity: 1, unitPrice: '300.00' }],
        }),
      ],
    });
    expect(ingestOrders.results.map((r) => r.userErrors.map((e) => e.field?.join('.')))).toEqual([
      ['input.0.lines.0.unitPrice'],
      ['input.1.paidAmount'],
    ]);
    // A line stored before these bounds (written straight) still reads, exactly, beyond 2^53 fen.
    const [poison] = await factories(app.orm).orders([
      { merchant: refs.merchant, buyer: refs.buyer, product: refs.product, count: 1 },
    ]);
    await app.orm.em
      .fork()
      .nativeUpdate(OrderLine, { order: poison.id }, { quantity: 1_000_000, unitPrice: 999_999_999_999_999 });
    const { order } = await app.data(OrderDocument, { id: gid.order(poison) });
    expect(order?.lines[0].amount.amount).toBe('9999999999999990000.00');
  });
});
