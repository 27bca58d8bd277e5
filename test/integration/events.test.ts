import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBus } from '../../src/db/events';
import { platformContext } from '../../src/server/context';
import { MODULES } from '../../src/modules';
import { Merchant, MerchantStatusChange } from '../../src/modules/merchants/merchant.entity';
import { merchantsService } from '../../src/modules/merchants/merchants.service';
import { Order } from '../../src/modules/orders/order.entity';
import { ordersService } from '../../src/modules/orders/orders.service';
import { ScoreEvent } from '../../src/modules/trust/trust.entity';
import type { DomainEvent } from '../../src/shared/domain-events';
import { MerchantStatus } from '../../src/shared/enums';
import { IngestOrdersDocument, SetMerchantStatusDocument, TransitionOrderDocument } from '../generated/graphql';
import { factories, gid, orderInput } from '../helpers/factories';
import { createTestApp, type TestApp } from '../helpers/test-app';

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

describe('domain events', () => {
  let app: TestApp;
  let refs: Parameters<typeof orderInput>[0];
  const committed: DomainEvent[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    // Test-only handlers on this file's bus: one that fails on demand, one that records commits.
    eventBus.onBlocking('MerchantStatusChanged', { name: 'test.failingHandler' }, async (_tx, events) => {
      if (events.some((event) => event.reason === 'handler fails')) throw new Error('a blocking handler failed');
    });
    eventBus.onCommitted('MerchantStatusChanged', (event) => void committed.push(event));
    eventBus.onCommitted('OrderShipped', (event) => void committed.push(event));
    const make = factories(app.orm);
    const merchant = await make.merchant();
    refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
  });
  afterAll(() => app?.close());

  const scoreEventsOf = (orderId: string) => app.orm.em.fork().find(ScoreEvent, { order: orderId });

  it('an order ingested already shipped records its shipping score event, late against its 48 h ship-by', async () => {
    const items = [
      orderInput(refs, { status: 'SHIPPED', paidAt: hoursAgo(100), shippedAt: hoursAgo(90) }),
      orderInput(refs, {
        status: 'COMPLETED',
        paidAt: hoursAgo(300),
        shippedAt: hoursAgo(240),
        deliveredAt: hoursAgo(200),
        completedAt: hoursAgo(10),
      }),
      orderInput(refs, { status: 'PAID', paidAt: hoursAgo(2) }),
    ];
    const { ingestOrders } = await app.data(IngestOrdersDocument, { input: items });
    const [onTime, late, unshipped] = ingestOrders.results.map((r) => r.order!.id);
    const local = (id: string) => Buffer.from(id, 'base64url').toString().split(':')[1];
    expect((await scoreEventsOf(local(onTime))).map((e) => e.factor)).toEqual(['SHIPPED_ON_TIME']);
    expect((await scoreEventsOf(local(late))).map((e) => e.factor)).toEqual(['SHIPPED_LATE']);
    expect(await scoreEventsOf(local(unshipped))).toEqual([]);
    // A duplicate re-send records nothing more.
    await app.data(IngestOrdersDocument, { input: items.slice(0, 1) });
    expect(await scoreEventsOf(local(onTime))).toHaveLength(1);
  });

  it('transitionOrder → SHIPPED records the score event once, and later moves record none', async () => {
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput(refs, { paidAt: hoursAgo(60) })],
    });
    const orderId = ingestOrders.results[0].order!.id;
    await app.data(TransitionOrderDocument, { input: { orderId, to: 'SHIPPED', reason: '已发货' } });
    await app.data(TransitionOrderDocument, { input: { orderId, to: 'DELIVERED', reason: '已签收' } });
    const events = await scoreEventsOf(Buffer.from(orderId, 'base64url').toString().split(':')[1]);
    expect(events.map((e) => e.factor)).toEqual(['SHIPPED_LATE']);
    expect(committed.filter((e) => e.type === 'OrderShipped' && e.orderId === events[0].order!.id)).toHaveLength(1);
  });

  it('a failing blocking handler rolls the whole mutation back, and its after-commit handlers never run', async () => {
    const merchantId = gid.merchant(refs.merchant);
    const before = committed.length;
    const failed = await app.execute(SetMerchantStatusDocument, {
      input: { merchantId, status: 'WARNED', reason: 'handler fails' },
    });
    expect(failed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const em = app.orm.em.fork();
    expect((await em.findOneOrFail(Merchant, { id: refs.merchant.id })).status).toBe('ACTIVE');
    expect(await em.count(MerchantStatusChange, { merchant: refs.merchant.id, reason: 'handler fails' })).toBe(0);
    expect(committed.length).toBe(before);

    const warned = await app.data(SetMerchantStatusDocument, {
      input: { merchantId, status: 'WARNED', reason: '异常订单比例偏高' },
    });
    expect(warned.setMerchantStatus.merchant?.status).toBe('WARNED');
    expect(committed.at(-1)).toMatchObject({
      type: 'MerchantStatusChanged',
      merchantId: refs.merchant.id,
      from: 'ACTIVE',
      to: 'WARNED',
    });
  });

  it('services run without a request: a job or the CLI passes a context of local ids', async () => {
    const ctx = platformContext(app.orm, MODULES, 'job:test');
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput(refs, { paidAt: hoursAgo(5) })],
    });
    const orderId = Buffer.from(ingestOrders.results[0].order!.id, 'base64url').toString().split(':')[1];
    const moved = await ordersService.transition(ctx, { orderId, to: 'SHIPPED' as never, reason: '已发货' });
    expect(moved.refusals).toEqual([]);
    expect((await app.orm.em.fork().findOneOrFail(Order, { id: orderId })).status).toBe('SHIPPED');
    expect((await scoreEventsOf(orderId)).map((e) => [e.factor, e.actor])).toEqual([['SHIPPED_ON_TIME', 'job:test']]);
    const refused = await merchantsService.setStatus(ctx, {
      merchantId: refs.merchant.id,
      status: MerchantStatus.RESTRICTED,
      reason: 'x',
    });
    expect(refused.refusals[0]).toMatchObject({ code: 'NOT_ELIGIBLE', field: ['input', 'status'] });
  });
});
