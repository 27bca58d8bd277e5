import { merchantContext, platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../../../src/db/query-counter';
import { asPlatform, runMutation } from '../../../src/db/transaction';
import { merchantsService } from '../../../src/modules/merchants/merchants.service';
import type { Order } from '../../../src/modules/orders/order.entity';
import { ordersService } from '../../../src/modules/orders/orders.service';
import { OrderStatus } from '../../../src/shared/enums';
import { factories } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A transaction reads an order with its buyer, and a merchant, once (its context's `TransactionMemo`,
 * src/db/session.ts): the second read answers from the memo without a statement, the transaction's
 * own move of the order shows in it, and nothing memoized in one scope is answered to another.
 */
describe('the transaction memo', () => {
  let app: TestApp;
  let merchantId: string;
  let otherMerchantId: string;
  let order: Order;
  let othersOrder: Order;
  const contextOf = (merchantId: string | null = null) =>
    merchantId === null
      ? platformContext(app.orm, MODULES, 'test')
      : merchantContext(app.orm, MODULES, merchantId, 'test');

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const [merchant, other] = [await make.merchant(), await make.merchant()];
    [merchantId, otherMerchantId] = [merchant.id, other.id];
    const buyer = await make.buyer();
    [order] = await make.orders([{ merchant, buyer, product: await make.product(merchant), count: 1 }]);
    [othersOrder] = await make.orders([{ merchant: other, buyer, product: await make.product(other), count: 1 }]);
  });
  afterAll(() => app?.close());

  it('reads an order with its buyer and a merchant once, and follows the order through its refund', async () => {
    const { result, statements } = await countStatements(() =>
      runMutation(contextOf(), async (tx) => {
        const read = () => tx.read(ordersService.withBuyers(tx, [order.id]), merchantsService.byId(tx, merchantId));
        const [[first], merchant] = await read();
        const [[again], merchantAgain] = await read();
        const statusBefore = first!.status;
        await ordersService.refundIn(tx, { orderId: order.id, at: tx.now(), reason: 'memo test', caseId: order.id });
        const [[refunded]] = await tx.read(ordersService.withBuyers(tx, [order.id, order.id]));
        return { first, again, merchant, merchantAgain, refunded, statusBefore };
      }),
    );
    const { first, again, merchant, merchantAgain, refunded, statusBefore } = result;
    expect(statements.filter((sql) => /from "order" as "t" inner join "buyer"/.test(sql))).toHaveLength(1);
    expect(statements.filter((sql) => /from "merchant" as "t"/.test(sql))).toHaveLength(1);
    expect([again, merchantAgain]).toEqual([first, merchant]);
    expect(statusBefore).toBe(OrderStatus.PAID);
    expect(first!.buyer.id).toBe(order.buyer.id);
    expect(merchant!.id).toBe(merchantId);
    expect(refunded!.status).toBe(OrderStatus.REFUNDED);
    expect(refunded!.refundedAt).toBeInstanceOf(Date);
  });

  it("never answers a tenant with what the platform's scope read in the same transaction, nor the reverse", async () => {
    const { result, statements } = await countStatements(() =>
      runMutation(contextOf(otherMerchantId), async (tx) => {
        const [ownBefore] = await tx.read(ordersService.withBuyers(tx, [othersOrder.id]));
        const [seenByPlatform] = await asPlatform(tx, (platformTx) =>
          platformTx.read(ordersService.withBuyers(platformTx, [order.id, othersOrder.id])),
        );
        const [seenByTenant] = await tx.read(ordersService.withBuyers(tx, [order.id, othersOrder.id]));
        return { ownBefore, seenByPlatform, seenByTenant };
      }),
    );
    expect(result.ownBefore!.map((o) => o.id)).toEqual([othersOrder.id]);
    expect(result.seenByPlatform!.map((o) => o.id).sort()).toEqual([order.id, othersOrder.id].sort());
    // Row-level security answers again in the tenant's scope: another merchant's order stays out.
    expect(result.seenByTenant!.map((o) => o.id)).toEqual([othersOrder.id]);
    expect(statements.filter((sql) => /from "order" as "t" inner join "buyer"/.test(sql))).toHaveLength(3);
  });

  it('keeps nothing between transactions', async () => {
    const read = () =>
      countStatements(() =>
        runMutation(contextOf(), async (tx) => {
          const [merchant] = await tx.read(merchantsService.byId(tx, merchantId));
          return { merchant };
        }),
      );
    for (const { statements, result } of [await read(), await read()]) {
      expect(statements.filter((sql) => /from "merchant" as "t"/.test(sql))).toHaveLength(1);
      expect(result.merchant!.id).toBe(merchantId);
    }
  });
});
