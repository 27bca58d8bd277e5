import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestOrdersDocument, OrderDocument, TransitionOrderDocument } from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

describe('transitionOrder', () => {
  let app: TestApp;
  let newOrder: () => Promise<string>;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
    newOrder = async () => {
      const paidAt = new Date(Date.now() - 72 * 3_600_000).toISOString();
      const { ingestOrders } = await app.data(IngestOrdersDocument, { input: [orderInput(refs, { paidAt })] });
      return ingestOrders.results[0].order!.id;
    };
  });
  afterAll(() => app?.close());

  it('walks PAID → SHIPPED → DELIVERED → COMPLETED, stamping each time and recording each move', async () => {
    const orderId = await newOrder();
    const shippedAt = new Date(Date.now() - 48 * 3_600_000).toISOString();
    const shipped = await app.data(TransitionOrderDocument, {
      input: { orderId, to: 'SHIPPED', reason: '已发货', at: shippedAt },
    });
    expect(shipped.transitionOrder).toMatchObject({ userErrors: [], order: { status: 'SHIPPED', shippedAt } });
    await app.data(TransitionOrderDocument, { input: { orderId, to: 'DELIVERED', reason: '已签收' } });
    const completed = await app.data(TransitionOrderDocument, {
      input: { orderId, to: 'COMPLETED', reason: '确认收货' },
    });
    expect(completed.transitionOrder.order?.completedAt).toBeTruthy();
    expect(completed.transitionOrder.order?.statusHistory).toEqual([
      { fromStatus: null, toStatus: 'PAID', actor: 'ADMIN:test-admin', reason: 'ingested' },
      { fromStatus: 'PAID', toStatus: 'SHIPPED', actor: 'ADMIN:test-admin', reason: '已发货' },
      { fromStatus: 'SHIPPED', toStatus: 'DELIVERED', actor: 'ADMIN:test-admin', reason: '已签收' },
      { fromStatus: 'DELIVERED', toStatus: 'COMPLETED', actor: 'ADMIN:test-admin', reason: '确认收货' },
    ]);
  });

  it('rejects illegal moves with a userError and leaves status and history unchanged', async () => {
    const orderId = await newOrder();
    const before = await app.data(OrderDocument, { id: orderId });
    for (const to of ['DELIVERED', 'COMPLETED', 'PAID'] as const) {
      const result = await app.data(TransitionOrderDocument, { input: { orderId, to, reason: 'skip ahead' } });
      expect(result.transitionOrder.order).toBeNull();
      expect(result.transitionOrder.userErrors).toEqual([
        expect.objectContaining({ code: 'ILLEGAL_TRANSITION', field: ['input', 'to'] }),
      ]);
    }
    await app.data(TransitionOrderDocument, { input: { orderId, to: 'CANCELLED', reason: '买家取消' } });
    const final = await app.data(TransitionOrderDocument, { input: { orderId, to: 'SHIPPED', reason: 'too late' } });
    expect(final.transitionOrder.userErrors[0].message).toMatch(/CANCELLED.*none \(final\)/);
    const after = await app.data(OrderDocument, { id: orderId });
    expect(after.order?.status).toBe('CANCELLED');
    expect(after.order?.statusHistory).toHaveLength(before.order!.statusHistory.length + 1);
  });

  it('rejects a move dated before payment or in the future, and unknown orders', async () => {
    const orderId = await newOrder();
    const early = await app.data(TransitionOrderDocument, {
      input: { orderId, to: 'SHIPPED', reason: 'x', at: '2000-01-01T00:00:00Z' },
    });
    expect(early.transitionOrder.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'at'] });
    const future = await app.data(TransitionOrderDocument, {
      input: { orderId, to: 'SHIPPED', reason: 'x', at: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(future.transitionOrder.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'at'] });
    const unknown = await app.data(TransitionOrderDocument, {
      input: { orderId: gid.order({ id: '00000000-0000-4000-8000-000000000000' }), to: 'SHIPPED', reason: 'x' },
    });
    expect(unknown.transitionOrder.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'orderId'] });
    expect((await app.data(OrderDocument, { id: orderId })).order?.status).toBe('PAID');
  });

  it('serialises concurrent moves of one order: exactly one of two racing shipments wins', async () => {
    const orderId = await newOrder();
    const results = await Promise.all([
      app.data(TransitionOrderDocument, { input: { orderId, to: 'SHIPPED', reason: 'a' } }),
      app.data(TransitionOrderDocument, { input: { orderId, to: 'CANCELLED', reason: 'b' } }),
    ]);
    expect(results.filter((r) => r.transitionOrder.userErrors.length === 0)).toHaveLength(1);
    const after = await app.data(OrderDocument, { id: orderId });
    expect(after.order?.statusHistory).toHaveLength(2);
  });
});
