import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../../src/modules/orders/order.entity';
import { ledgerInvariantViolations } from '../../../src/modules/ledger/ledger.query';
import { OrderStatus } from '../../../src/shared/enums';
import { Role } from '../../../src/security/roles';
import {
  AllocateFundDocument,
  PostSubsidyDocument,
  ReverseLedgerTransactionDocument,
  type PostSubsidyInput,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const HOUR = 3_600_000;

/**
 * Random sequences of postings, reversals, allocations and concurrent batches over a few merchants
 * and funds. Whatever the sequence, the ledger's invariants hold afterwards.
 */
describe('ledger invariants under random operations (fast-check)', () => {
  let app: TestApp;
  let inTransit: Order[];
  let late: Order[];
  let custom: Order[];
  const finance = () => app.as(actors.role(Role.FINANCE));
  const posted: string[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchants = await Promise.all(Array.from({ length: 3 }, () => make.merchant()));
    const loyal = merchants[0];
    const product = await make.product(loyal);
    const buyers = await Promise.all(Array.from({ length: 20 }, () => make.buyer()));
    const longAgo = new Date(Date.now() - 300 * HOUR);
    await make.orders(
      buyers.map((buyer) => ({ merchant: loyal, buyer, product, count: 2, values: { paidAt: longAgo } })),
    );
    late = await make.orders([
      {
        merchant: loyal,
        buyer: buyers[0],
        product,
        count: 8,
        status: OrderStatus.SHIPPED,
        values: {
          paidAt: new Date(Date.now() - 72 * HOUR),
          shipBy: new Date(Date.now() - 24 * HOUR),
          shippedAt: new Date(),
        },
      },
    ]);
    const rows = await Promise.all(
      merchants.map(async (merchant) => ({ merchant, buyer: buyers[1], product: await make.product(merchant) })),
    );
    inTransit = await make.orders(
      rows.map((row) => ({ ...row, count: 3, status: OrderStatus.SHIPPED, values: { shippedAt: new Date() } })),
    );
    custom = await make.orders(
      rows.map((row) => ({ ...row, count: 2, values: { custom: true, paidAmount: 100_000 } })),
    );
  });
  afterAll(() => app?.close());

  const amount = fc.integer({ min: 1, max: 20_000 }).map((fen) => (fen / 100).toFixed(2));
  const key = fc.integer({ min: 0, max: 30 }).map((n) => `prop-${n}`);
  const posting = fc.oneof(
    fc.record({ kind: fc.constant('TRANSIT_LOSS_COMPENSATION' as const), order: fc.nat(8), amount, key }),
    fc.record({ kind: fc.constant('LATE_SHIPMENT_SUBSIDY' as const), order: fc.nat(7), amount, key }),
    fc.record({ kind: fc.constant('DISPUTE_COMPENSATION' as const), order: fc.nat(5), amount: fc.option(amount), key }),
  );
  const operation = fc.oneof(
    { weight: 4, arbitrary: posting.map((p) => ({ op: 'post' as const, ...p })) },
    { weight: 1, arbitrary: fc.nat(50).map((i) => ({ op: 'reverse' as const, i })) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('allocate' as const),
        amount,
        key,
        fund: fc.constantFrom('SPECIAL_SUBSIDY' as const, 'RESOURCE_PACK' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.array(posting, { minLength: 2, maxLength: 6 }).map((batch) => ({ op: 'batch' as const, batch })),
    },
  );

  type Kind = 'TRANSIT_LOSS_COMPENSATION' | 'LATE_SHIPMENT_SUBSIDY' | 'DISPUTE_COMPENSATION';

  async function run(p: { kind: Kind; order: number; amount: string | null; key: string }) {
    const orders = { TRANSIT_LOSS_COMPENSATION: inTransit, LATE_SHIPMENT_SUBSIDY: late, DISPUTE_COMPENSATION: custom }[
      p.kind
    ];
    const input: PostSubsidyInput = {
      kind: p.kind,
      orderId: gid.order(orders[p.order % orders.length]),
      idempotencyKey: p.key,
      reason: 'property',
      ...(p.amount ? { amount: p.amount } : {}),
    };
    const { postSubsidy } = await finance().data(PostSubsidyDocument, { input });
    if (postSubsidy.transaction) posted.push(postSubsidy.transaction.id);
  }

  async function invariants() {
    const knex = app.orm.em.getKnex();
    const rows = async (sql: string) => (await knex.raw(sql)).rows as Record<string, unknown>[];
    expect(await ledgerInvariantViolations(knex)).toEqual([]);
    const standing = `(select t.* from ledger_transaction t
      where not exists (select 1 from ledger_transaction r where r.reversal_of_id = t.id)) s join "order" o on o.id = s.order_id`;
    // 300 yuan a month of late-shipment subsidy per merchant, one per late order; 5% of a custom
    // sub-order across claims; the goods' value (and 50,000) per lost order.
    expect(
      await rows(`select s.merchant_id, s.period from ${standing} where s.kind = 'LATE_SHIPMENT_SUBSIDY'
                  group by 1, 2 having sum(s.amount) > 30000 or count(*) > count(distinct s.order_id)`),
    ).toEqual([]);
    expect(
      await rows(`select s.order_id from ${standing} where s.kind = 'DISPUTE_COMPENSATION'
                  group by s.order_id, o.paid_amount having sum(s.amount) > (o.paid_amount * 500 + 5000) / 10000`),
    ).toEqual([]);
    expect(
      await rows(`select s.order_id from ${standing} where s.kind = 'TRANSIT_LOSS_COMPENSATION'
                  group by s.order_id, o.paid_amount having sum(s.amount) > least(o.paid_amount, 5000000)`),
    ).toEqual([]);
  }

  it('every transaction sums to zero, balances equal entries, no fund below zero, no cap exceeded, each key posted once', async () => {
    await finance().data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '500.00', reason: 'small budget', idempotencyKey: 'prop-budget' },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (operations) => {
        for (const operation of operations) {
          if (operation.op === 'post') await run(operation);
          if (operation.op === 'batch') await Promise.all(operation.batch.map(run));
          if (operation.op === 'allocate') {
            await finance().data(AllocateFundDocument, {
              input: {
                fund: operation.fund,
                amount: operation.amount,
                reason: 'property',
                idempotencyKey: `alloc-${operation.key}`,
              },
            });
          }
          if (operation.op === 'reverse' && posted.length) {
            await finance().data(ReverseLedgerTransactionDocument, {
              input: { transactionId: posted[operation.i % posted.length], reason: 'property' },
            });
          }
        }
        await invariants();
      }),
      { numRuns: 25, seed: 20261127, endOnFailure: true },
    );
    expect(posted.length).toBeGreaterThan(10); // the sequences did move money, not only get refused
  });
});
