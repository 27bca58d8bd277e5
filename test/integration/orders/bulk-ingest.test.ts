import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AllocateFundDocument, IngestOrdersDocument } from '../../generated/graphql';
import { factories, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A batch of orders shipped to a remote region costs the statements of a small batch: each order's
 * automatic remote-transfer fee is posted with the others, not in a transaction step of its own.
 */
describe('bulk ingest of remote-region orders', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    await app.data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '1000000', reason: 'budget', idempotencyKey: 'budget-1' },
    });
  });
  afterAll(() => app?.close());

  async function batch(size: number, region: string) {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const buyer = await make.buyer();
    const product = await make.product(merchant);
    const shippedAt = new Date(Date.now() - 3_600_000).toISOString();
    const input = Array.from({ length: size }, () =>
      orderInput(
        { merchant, buyer, product },
        {
          destinationRegion: region as never,
          status: 'SHIPPED',
          shippedAt,
          paidAt: new Date(Date.now() - 7_200_000).toISOString(),
        },
      ),
    );
    const started = performance.now();
    const statements = await app.statementsOf(IngestOrdersDocument, { input });
    const ms = performance.now() - started;
    const [fees] = await app.orm.em
      .fork()
      .getConnection()
      .execute(
        `select count(*)::int as n, count(distinct order_id)::int as orders from ledger_transaction where kind = 'REMOTE_LOGISTICS_FEE' and merchant_id = ?`,
        [merchant.id],
      );
    return { statements, ms, fees };
  }

  it('a 1,000-order remote batch issues the statements of a 10-order one', async () => {
    const small = await batch(10, 'XINJIANG');
    const large = await batch(1000, 'XINJIANG');
    expect(large.statements.length).toBe(small.statements.length);
    // Every order's fee, once.
    expect(small.fees).toEqual({ n: 10, orders: 10 });
    expect(large.fees).toEqual({ n: 1000, orders: 1000 });
  });
});
