import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestOrdersDocument, OrdersDocument, type OrdersQuery } from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

interface ChildPages {
  merchants: {
    edges: {
      node: {
        id: string;
        orders: {
          edges: { node: { paidAmount: { amount: string } } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
    }[];
  };
}

describe('orders query', () => {
  let app: TestApp;
  let merchantId: string;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const other = await make.merchant();
    const buyer = await make.buyer();
    const refs = { merchant, buyer, product: await make.product(merchant) };
    const otherRefs = { merchant: other, buyer, product: await make.product(other) };
    merchantId = gid.merchant(merchant);
    const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12)).toISOString();
    await app.data(IngestOrdersDocument, {
      input: [
        ...Array.from({ length: 9 }, (_, i) =>
          orderInput(refs, {
            paidAt: day(i + 1),
            paidAmount: `${(i + 1) * 10}.00`,
            destinationRegion: i % 3 === 0 ? 'TIBET' : 'HUNAN',
          }),
        ),
        orderInput(otherRefs, { paidAt: day(5) }),
      ],
    });
  });
  afterAll(() => app?.close());

  it('filters by merchant, region and paid-at range', async () => {
    const { orders } = await app.data(OrdersDocument, {
      first: 50,
      filter: {
        merchantId,
        destinationRegion: ['TIBET'],
        paidAt: { from: '2026-01-01T00:00:00Z', to: '2026-01-07T00:00:00Z' },
      },
    });
    expect(orders.totalCount).toBe(2);
    expect(orders.edges.map((e) => e.node.paidAt)).toEqual(['2026-01-04T12:00:00.000Z', '2026-01-01T12:00:00.000Z']);
  });

  it('sorts by paid amount and pages with cursors without gaps or repeats', async () => {
    const amounts: string[] = [];
    let after: string | null = null;
    do {
      const page: OrdersQuery = await app.data(OrdersDocument, {
        first: 4,
        after,
        filter: { merchantId },
        sort: { field: 'PAID_AMOUNT', direction: 'ASC' },
      });
      amounts.push(...page.orders.edges.map((e) => e.node.paidAmount.amount));
      after = page.orders.pageInfo.hasNextPage ? page.orders.pageInfo.endCursor : null;
    } while (after);
    expect(amounts).toEqual(['10.00', '20.00', '30.00', '40.00', '50.00', '60.00', '70.00', '80.00', '90.00']);
  });

  it('a merchant’s orders as a child connection page like the root list: same order, cursors, no gaps', async () => {
    const childPage = async (after: string | null) => {
      const query = `query($after: String) { merchants(first: 10) { edges { node { id orders(first: 4, after: $after, sort: { field: PAID_AMOUNT, direction: ASC }) {
        edges { node { paidAmount { amount } } } pageInfo { hasNextPage endCursor } } } } } }`;
      const data = (await app.data(parse(query) as TypedDocumentNode<ChildPages, { after: string | null }>, {
        after,
      })) as ChildPages;
      return data.merchants.edges.find((e) => e.node.id === merchantId)!.node.orders;
    };
    const amounts: string[] = [];
    let after: string | null = null;
    do {
      const page = await childPage(after);
      amounts.push(...page.edges.map((e) => e.node.paidAmount.amount));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(amounts).toEqual(['10.00', '20.00', '30.00', '40.00', '50.00', '60.00', '70.00', '80.00', '90.00']);
  });

  it('a malformed id in a filter is BAD_USER_INPUT naming it', async () => {
    const result = await app.execute(OrdersDocument, { filter: { merchantId: 'xyz' } });
    expect(result.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/filter\.merchantId/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
