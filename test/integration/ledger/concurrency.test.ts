import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerAccount, LedgerTransaction } from '../../../src/modules/ledger/ledger.entity';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import type { Order } from '../../../src/modules/orders/order.entity';
import { OrderStatus } from '../../../src/shared/enums';
import { Role } from '../../../src/security/roles';
import {
  AllocateFundDocument,
  FundsDocument,
  PostSubsidyDocument,
  QuoteSubsidyDocument,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

/** Postings race for the same budget, cap and key; row locks keep every rule. */
describe('ledger under concurrency', () => {
  let app: TestApp;
  let loyal: Merchant;
  let others: Merchant[];
  let lateOrders: Order[];
  let inTransit: Order[];
  const finance = () => app.as(actors.role(Role.FINANCE));
  const specialFund = async () =>
    (await finance().data(FundsDocument)).funds.find((f) => f.code === 'SPECIAL_SUBSIDY')!;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    loyal = await make.merchant();
    const product = await make.product(loyal);
    const buyers = await Promise.all(Array.from({ length: 20 }, () => make.buyer()));
    await make.orders(buyers.map((buyer) => ({ merchant: loyal, buyer, product, count: 2 })));
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    // 50 orders of the loyal shop shipped a day late just now (after its other orders, so it is high-repurchase then).
    lateOrders = await make.orders([
      {
        merchant: loyal,
        buyer: buyers[0],
        product,
        count: 50,
        status: OrderStatus.SHIPPED,
        values: { paidAt: hoursAgo(72), shipBy: hoursAgo(24), shippedAt: new Date() },
      },
    ]);
    others = await Promise.all(Array.from({ length: 5 }, () => make.merchant()));
    // Ten orders of 99.00 in transit at each of five shops.
    const rows = await Promise.all(
      others.map(async (merchant) => ({
        merchant,
        buyer: buyers[1],
        product: await make.product(merchant),
        count: 10,
        status: OrderStatus.SHIPPED,
        values: { shippedAt: hoursAgo(1) },
      })),
    );
    inTransit = await make.orders(rows);
  });
  afterAll(() => app?.close());

  it('50 concurrent payouts against a fund with a small budget never take it below zero', async () => {
    await finance().data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100.00', reason: 'small budget', idempotencyKey: 'small' },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        finance().data(PostSubsidyDocument, {
          input: {
            kind: 'TRANSIT_LOSS_COMPENSATION',
            orderId: gid.order(inTransit[i]),
            amount: '7.00',
            idempotencyKey: `loss-${i}`,
            reason: '运输意外',
          },
        }),
      ),
    );
    const paid = results.filter((r) => r.postSubsidy.transaction);
    const refused = results.filter((r) => r.postSubsidy.userErrors.length);
    expect(paid).toHaveLength(14);
    expect(refused).toHaveLength(36);
    expect(refused.every((r) => r.postSubsidy.userErrors[0].code === 'BUDGET_EXHAUSTED')).toBe(true);
    expect(await specialFund()).toMatchObject({
      budget: { amount: '100.00' },
      spent: { amount: '98.00' },
      remaining: { amount: '2.00' },
    });
  });

  it('a quote says what the posting would: with 2.00 left, a 7.00 payout is refused for budget and a 2.00 one is not', async () => {
    const quote = async (amount: string) =>
      (
        await finance().data(QuoteSubsidyDocument, {
          input: { kind: 'TRANSIT_LOSS_COMPENSATION', orderId: gid.order(inTransit[0]), amount },
        })
      ).quoteSubsidy.quote!;
    expect(await quote('7.00')).toMatchObject({ eligible: false, refusal: 'BUDGET_EXHAUSTED' });
    expect(await quote('2.00')).toMatchObject({ eligible: true, amount: { amount: '2.00' } });
  });

  it('50 concurrent late-shipment claims of one merchant in one month, each for its late order, pay at most 300 yuan', async () => {
    await finance().data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100000', reason: 'top up', idempotencyKey: 'top-up' },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        finance().data(PostSubsidyDocument, {
          input: {
            kind: 'LATE_SHIPMENT_SUBSIDY',
            orderId: gid.order(lateOrders[i]),
            amount: '20.00',
            idempotencyKey: `late-${i}`,
            reason: '偶发延迟发货',
          },
        }),
      ),
    );
    const paid = results.flatMap((r) =>
      r.postSubsidy.transaction ? [Number(r.postSubsidy.transaction.amount.amount)] : [],
    );
    expect(paid.reduce((a, b) => a + b, 0)).toBe(300);
    expect(paid).toHaveLength(15);
    expect(results.filter((r) => r.postSubsidy.userErrors[0]?.code === 'CAP_EXCEEDED')).toHaveLength(35);
  });

  it("a new merchant's first payouts at once open its cash account once, and every one is paid into it", async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const orders = await make.orders([
      {
        merchant,
        buyer: await make.buyer(),
        product: await make.product(merchant),
        count: 8,
        status: OrderStatus.SHIPPED,
        values: { shippedAt: new Date() },
      },
    ]);
    // Each sees no account and opens it; all but one find another transaction opened it first.
    const results = await Promise.all(
      orders.map((order, i) =>
        finance().data(PostSubsidyDocument, {
          input: {
            kind: 'TRANSIT_LOSS_COMPENSATION',
            orderId: gid.order(order),
            amount: '3.00',
            idempotencyKey: `first-${i}`,
            reason: '运输意外',
          },
        }),
      ),
    );
    expect(results.map((r) => r.postSubsidy.userErrors)).toEqual(orders.map(() => []));
    const accounts = await app.orm.em.fork().find(LedgerAccount, { code: `MERCHANT_CASH:${merchant.id}` });
    expect(accounts.map((a) => a.balance)).toEqual([2400]);
  });

  it('the same idempotency key sent 20 times at once posts once, and every response is that posting', async () => {
    const input = {
      kind: 'TRANSIT_LOSS_COMPENSATION' as const,
      orderId: gid.order(inTransit[1]),
      amount: '12.34',
      idempotencyKey: 'same-key',
      reason: '运输意外',
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => finance().data(PostSubsidyDocument, { input })));
    const ids = new Set(results.map((r) => r.postSubsidy.transaction?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toBeTruthy();
    expect(results.filter((r) => r.postSubsidy.replayed === false)).toHaveLength(1);
    expect(results.every((r) => r.postSubsidy.transaction?.amount.amount === '12.34')).toBe(true);
    expect(await app.orm.em.fork().count(LedgerTransaction, { idempotencyKey: 'same-key' })).toBe(1);

    const conflict = await finance().data(PostSubsidyDocument, { input: { ...input, amount: '50.00' } });
    expect(conflict.postSubsidy).toMatchObject({
      transaction: null,
      userErrors: [{ code: 'IDEMPOTENCY_CONFLICT', field: ['input', 'idempotencyKey'] }],
    });
    expect(await app.orm.em.fork().count(LedgerTransaction, { idempotencyKey: 'same-key' })).toBe(1);
  });

  it('after it all, entries still sum to zero and balances match', async () => {
    const knex = app.orm.em.getKnex();
    expect(Number((await knex.raw('select coalesce(sum(amount), 0)::bigint as t from ledger_entry')).rows[0].t)).toBe(
      0,
    );
    const drift = await knex.raw(`select a.code from ledger_account a left join ledger_entry e on e.account_id = a.id
                                  group by a.id having a.balance <> coalesce(sum(e.amount), 0)`);
    expect(drift.rows).toEqual([]);
  });
});
