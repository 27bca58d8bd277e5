import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderStatus } from '../../src/shared/enums';
import { Role } from '../../src/security/roles';
import {
  AfterSalesCaseDocument,
  BuyerWholeDocument,
  MerchantDashboardDocument,
  OrderWithPartiesDocument,
  NodesDocument,
  MerchantsWithLedgerDocument,
  MerchantsWithOrderPartiesDocument,
  MerchantsWithOrdersDocument,
  MerchantsWithOrderTotalsDocument,
  PostSubsidyDocument,
  AllocateFundDocument,
} from '../generated/graphql';
import { toGlobalId } from '../../src/graphql/global-id';
import { STAND_INS } from '../../src/db/read-statements';
import { gid } from '../helpers/factories';
import { factories } from '../helpers/factories';
import { scenario } from '../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The statements a request issues depend on its depth, never on how many rows it returns: every
 * relation goes through a per-request DataLoader and child connections are paged in one windowed query.
 */
describe('SQL statements per request', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const buyers = await Promise.all([make.buyer(), make.buyer()]);
    const rows = [];
    for (let i = 0; i < 50; i++) {
      const merchant = await make.merchant({ name: `商家${String(i).padStart(2, '0')}` });
      const product = await make.product(merchant);
      // Shipped, so each shop has orders in transit to claim a loss on.
      const values = { shippedAt: new Date() };
      rows.push({ merchant, buyer: buyers[i % 2], product, count: 25, status: OrderStatus.SHIPPED, values });
    }
    const orders = await make.orders(rows, 2);
    const finance = app.as(actors.role(Role.FINANCE));
    await finance.data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100000', reason: 'budget', idempotencyKey: 'budget' },
    });
    for (const [i, row] of rows.entries()) {
      await finance.data(PostSubsidyDocument, {
        input: {
          kind: 'TRANSIT_LOSS_COMPENSATION',
          orderId: gid.order(orders.find((order) => order.merchant.id === row.merchant.id)!),
          amount: '10.00',
          idempotencyKey: `loss-${i}`,
          reason: 'x',
        },
      });
    }
  });
  afterAll(() => app?.close());

  it('merchants → orders → buyer and lines → product: the same count for 5 merchants as for 50', async () => {
    const five = await app.statementsOf(MerchantsWithOrdersDocument, { first: 5 });
    const fifty = await app.statementsOf(MerchantsWithOrdersDocument, { first: 50 });
    const data = await app.data(MerchantsWithOrdersDocument, { first: 50 });
    expect(data.merchants.edges).toHaveLength(50);
    expect(data.merchants.edges.every((e) => e.node.orders.edges.length === 20)).toBe(true);
    // Three reads — merchants, their orders (one windowed query), lines — each one round trip: the
    // tenant's settings and the SELECT in one message. Buyers and products are asked for their ids
    // only, which the order and line rows already hold: they are not read.
    expect(five).toHaveLength(3);
    expect(five.every((sql) => /^select set_config\('role'.*; select /s.test(sql))).toBe(true);
    expect(fifty).toHaveLength(five.length);
    // The orders are read for their ids and buyers: the statement names those columns, plus what
    // paging needs (the sort column, the parent's key), and none of the other twenty (no `t.*`).
    const orders = five.find((sql) => sql.includes('from "order" as "t"'))!;
    const named = new Set([...orders.matchAll(/"t"\.("[\w]+"|\*)/g)].map((m) => m[1]));
    expect([...named].sort()).toEqual(['"buyer_id"', '"id"', '"merchant_id"', '"paid_at"']);
  });

  it('a child connection asked for its totalCount alone reads no page: one GROUP BY', async () => {
    const document = parse(
      '{ merchants(first: 5) { edges { node { appeals { totalCount } afterSalesCases { totalCount } } } } }',
    ) as unknown as typeof MerchantsWithOrdersDocument;
    const statements = await app.statementsOf(document, { first: 5 });
    // merchants, then the two counts; no SELECT of appeal or case rows
    expect(statements).toHaveLength(3);
    expect(statements.filter((sql) => /count\(\*\)/.test(sql))).toHaveLength(2);
  });

  it('a buyer or product asked for more than its id is read, once per level', async () => {
    const five = await app.statementsOf(MerchantsWithOrderPartiesDocument, { first: 5 });
    const fifty = await app.statementsOf(MerchantsWithOrderPartiesDocument, { first: 50 });
    const data = await app.data(MerchantsWithOrderPartiesDocument, { first: 50 });
    const orders = data.merchants.edges.flatMap((e) => e.node.orders.edges.map((o) => o.node));
    expect(orders.every((o) => o.buyer.nickname && o.lines.every((l) => l.product.title))).toBe(true);
    // merchants, orders, buyers, lines, products
    expect(five).toHaveLength(5);
    expect(fifty).toHaveLength(five.length);
  });

  it('totalCount of child connections is one GROUP BY, whatever the number of parents', async () => {
    const five = await app.statementsOf(MerchantsWithOrderTotalsDocument, { first: 5 });
    const fifty = await app.statementsOf(MerchantsWithOrderTotalsDocument, { first: 50 });
    const data = await app.data(MerchantsWithOrderTotalsDocument, { first: 50 });
    expect(data.merchants.totalCount).toBe(50);
    expect(data.merchants.edges.every((e) => e.node.orders.totalCount === 25 && e.node.products.totalCount === 1)).toBe(
      true,
    );
    // merchants and their count, then the orders' page, their counts and the products' counts (asked
    // for the count alone, so no page of products): two round trips (order.merchant is asked for its
    // id only, so it is not read)
    expect(five).toHaveLength(5);
    expect(fifty).toHaveLength(five.length);
    const { messages } = await app.roundTripsOf(MerchantsWithOrderTotalsDocument, { first: 50 });
    expect(messages).toBe(2);
  });

  it('merchants with ledger balances and subsidies (entries, order, policy): the same count for 5 as for 50', async () => {
    const five = await app.statementsOf(MerchantsWithLedgerDocument, { first: 5 });
    const fifty = await app.statementsOf(MerchantsWithLedgerDocument, { first: 50 });
    const data = await app.data(MerchantsWithLedgerDocument, { first: 50 });
    expect(
      data.merchants.edges.every((e) => e.node.subsidies.totalCount === 1 && e.node.ledger.cash.amount === '10.00'),
    ).toBe(true);
    // merchants, accounts, subsidies page + count, entries, the orders they pay for; one round trip each
    expect(five).toHaveLength(6);
    expect(fifty).toHaveLength(five.length);
  });

  it("a merchant's dashboard: sibling reads travel together, one message per level", async () => {
    const merchant = await factories(app.orm).merchant();
    const product = await factories(app.orm).product(merchant);
    const buyer = await factories(app.orm).buyer();
    await factories(app.orm).orders([{ merchant, buyer, product, count: 12, status: OrderStatus.PAID }], 1);
    // The first request reads the policy timeline before the order count over its window; later
    // ones start that count with the timeline this process read last (withNumberInForce).
    const data = await app
      .as(actors.merchant(merchant))
      .data(MerchantDashboardDocument, { id: gid.merchant(merchant) });
    expect(data.merchant!.orders.edges).toHaveLength(10);
    expect(data.merchant!.orders.edges.every((e) => e.node.buyer.nickname)).toBe(true);
    const { statements, messages } = await app
      .as(actors.merchant(merchant))
      .roundTripsOf(MerchantDashboardDocument, { id: gid.merchant(merchant) });
    // The merchant with what needs only its id, read ahead: policy, score and order count over the
    // policy's window, balances, orders with their buyers (read through the page's own statement),
    // the two counts and warnings. Each statement still enters the tenant (its settings lead the message).
    expect(statements.length).toBeGreaterThan(5);
    expect(messages).toBe(1);
    expect(statements.filter((sql) => /from "buyer" as "t"/.test(sql))).toHaveLength(1);
    // One parent's page is its index scan alone: a parent list from `unnest` of a parameter would make
    // PostgreSQL plan the prepared statement again on every call (it guesses a hundred parents).
    const ordersPage = statements.filter((sql) =>
      /^select "t"\."buyer_id".* from "order" as "t"/.test(sql.split('; ')[1]),
    );
    expect(ordersPage).toHaveLength(1);
    expect(ordersPage[0]).not.toMatch(/unnest/);
  });

  it("a merchant's counts are read with the merchant, in one message, for staff and for the merchant", async () => {
    const merchant = await factories(app.orm).merchant();
    const document = parse(
      `query ($id: ID!) { merchant(id: $id) { name appeals { totalCount }
         afterSalesCases(filter: { status: [UNDER_REVIEW] }) { totalCount } warnings { totalCount } } }`,
    ) as unknown as TypedDocumentNode<{ merchant: { name: string } | null }, { id: string }>;
    for (const reader of [app, app.as(actors.merchant(merchant))]) {
      const { statements, messages } = await reader.roundTripsOf(document, { id: gid.merchant(merchant) });
      expect(statements.filter((sql) => /count\(\*\)/.test(sql))).toHaveLength(3);
      expect(messages).toBe(1);
      expect((await reader.data(document, { id: gid.merchant(merchant) })).merchant?.name).toBe(merchant.name);
    }
  });

  it("a batched read's SQL, built once per shape, carries each merchant's own id and reaches its own rows only", async () => {
    const make = factories(app.orm);
    const buyer = await make.buyer();
    const shops = await Promise.all([make.merchant(), make.merchant()]);
    const [mine, theirs] = await Promise.all(
      shops.map(async (merchant) => {
        const product = await make.product(merchant);
        const [order] = await make.orders([{ merchant, buyer, product, count: 1, status: OrderStatus.PAID }], 1);
        return order;
      }),
    );
    const ids = [gid.order(mine), gid.order(theirs)];
    for (const [i, merchant] of shops.entries()) {
      const client = app.as(actors.merchant(merchant));
      const statements = await client.statementsOf(NodesDocument, { ids });
      expect(statements.join(' ')).toContain(`'${merchant.id}'`);
      expect(statements.join(' ')).not.toContain(`'${shops[1 - i].id}'`);
      const { nodes } = await client.data(NodesDocument, { ids });
      expect(nodes.map((node) => node?.id ?? null)).toEqual(ids.map((id, j) => (j === i ? id : null)));
    }
  });

  it("a page's SQL, written once per shape, carries each merchant's own id and cursor, and a client value that looks like a stand-in is no slot", async () => {
    const make = factories(app.orm);
    const buyer = await make.buyer();
    const shops = await Promise.all([make.merchant(), make.merchant()]);
    const ordersOf = await Promise.all(
      shops.map(async (merchant) => {
        const product = await make.product(merchant);
        const orders = await make.orders([{ merchant, buyer, product, count: 3, status: OrderStatus.PAID }], 3);
        return orders.map((order) => gid.order(order));
      }),
    );
    const rootPage = parse(
      'query($after: String) { orders(first: 2, after: $after) { edges { cursor node { id } } } }',
    );
    const childPage = parse(
      'query($id: ID!, $after: String) { merchant(id: $id) { orders(first: 2, after: $after) { totalCount edges { cursor node { id } } } } }',
    );
    type Edges = { cursor: string; node: { id: string } }[];
    for (const [i, merchant] of shops.entries()) {
      const client = app.as(actors.merchant(merchant));
      const other = shops[1 - i].id;
      for (const [document, edgesOf, variables] of [
        [rootPage, (data: never) => (data as { orders: { edges: Edges } }).orders.edges, {}],
        [
          childPage,
          (data: never) => (data as { merchant: { orders: { edges: Edges } } }).merchant.orders.edges,
          { id: gid.merchant(merchant) },
        ],
      ] as const) {
        const first = edgesOf((await client.data(document as never, variables as never)) as never);
        const statements = await client.statementsOf(
          document as never,
          { ...variables, after: first[1].cursor } as never,
        );
        expect(statements.join(' ')).toContain(`'${merchant.id}'`);
        expect(statements.join(' ')).not.toContain(`'${other}'`);
        const second = edgesOf(
          (await client.data(document as never, { ...variables, after: first[1].cursor } as never)) as never,
        );
        const seen = [...first, ...second].map((edge) => edge.node.id);
        expect(new Set(seen).size).toBe(3);
        expect(seen.sort()).toEqual([...ordersOf[i]].sort());
      }
    }
    // The stand-in of the merchant's id, given as a filter: a filter on that (unknown) merchant, not on the actor.
    const standIn = toGlobalId('Merchant', STAND_INS.merchantId);
    const filtered = await app
      .as(actors.merchant(shops[0]))
      .data(
        parse(
          `{ orders(first: 5, filter: { merchantId: "${standIn}" }) { totalCount edges { node { id } } } }`,
        ) as never,
      );
    expect(filtered).toEqual({ orders: { totalCount: 0, edges: [] } });
  });

  it("a merchant's trust reads the repurchase figures over its orders only when highRepurchase is asked", async () => {
    const merchant = await factories(app.orm).merchant();
    const client = app.as(actors.merchant(merchant));
    const trustOf = (fields: string) =>
      client.statementsOf(
        parse(`query($id: ID!) { merchant(id: $id) { trust { ${fields} } } }`) as never,
        {
          id: gid.merchant(merchant),
        } as never,
      );
    const readsRepurchase = (statements: string[]) => statements.some((sql) => sql.includes('repeat_buyers'));
    expect(readsRepurchase(await trustOf('band integrityScore'))).toBe(false);
    expect(readsRepurchase(await trustOf('band highRepurchase'))).toBe(true);
  });

  it('one order with merchant and buyer: one message, the columns asked for, the buyer as read whole', async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const product = await make.product(merchant);
    const buyer = await make.buyer({ malicious: true, superBuyer: true });
    const [order] = await make.orders([{ merchant, buyer, product, count: 1, status: OrderStatus.PAID }], 1);
    const { statements, messages } = await app.roundTripsOf(OrderWithPartiesDocument, { id: gid.order(order) });
    // The merchant and the buyer are read through the order, beside the order's own row; then the
    // buyer's stored risk, then (none stored) the policy it is worked out under.
    expect(messages).toBe(3);
    const parties = parse(
      'query ($id: ID!) { order(id: $id) { id status merchant { id name } buyer { id nickname } } }',
    ) as unknown as typeof OrderWithPartiesDocument;
    for (const reader of [app, app.as(actors.merchant(merchant))]) {
      expect((await reader.roundTripsOf(parties, { id: gid.order(order) })).messages).toBe(1);
    }
    const columnsOf = (table: string) => {
      const sql = statements.find((s) => s.includes(`from "${table}" as "t"`))!;
      return [...new Set([...sql.matchAll(/"t"\.("\w+"|\*)/g)].map((m) => m[1]))].sort();
    };
    expect(columnsOf('order')).toEqual(['"buyer_id"', '"id"', '"merchant_id"', '"paid_amount"', '"status"']);
    expect(columnsOf('merchant')).toEqual(['"id"', '"name"']);
    expect(columnsOf('buyer')).toEqual(['"id"', '"malicious"', '"nickname"', '"super_buyer"']);
    const { order: seen } = await app.data(OrderWithPartiesDocument, { id: gid.order(order) });
    const { buyer: whole } = await app.data(BuyerWholeDocument, { id: gid.buyer(buyer) });
    expect(seen!.buyer).toEqual({ id: whole!.id, nickname: whole!.nickname, flags: whole!.flags, risk: whole!.risk });
    expect(whole!.flags).toEqual(['SUPER_BUYER', 'MALICIOUS']);
    expect(seen!.merchant.name).toBe(merchant.name);
  });

  it('node(id:) reads the columns its fragment asks, and the merchant behind it reads ahead', async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const product = await make.product(merchant);
    const [order] = await make.orders(
      [{ merchant, buyer: await make.buyer(), product, count: 1, status: OrderStatus.PAID }],
      1,
    );
    const byNode = parse(
      `query ($order: ID!, $merchant: ID!) {
        order: node(id: $order) { id ... on Order { status } }
        merchant: node(id: $merchant) { ... on Merchant { name ledger { cash { fen } } } }
      }`,
    ) as unknown as typeof OrderWithPartiesDocument;
    const variables = { order: gid.order(order), merchant: gid.merchant(merchant) } as never;
    const { statements, messages } = await app.roundTripsOf(byNode, variables);
    const columnsOf = (table: string) => {
      const sql = statements.find((s) => s.includes(`from "${table}" as "t"`))!;
      return [...new Set([...sql.matchAll(/"t"\.("\w+"|\*)/g)].map((m) => m[1]))].sort();
    };
    expect(columnsOf('order')).toEqual(['"id"', '"status"']);
    expect(columnsOf('merchant')).toEqual(['"id"', '"name"']);
    // The merchant's balances are read beside the merchant itself: one message for everything.
    expect(messages).toBe(1);
    expect(await app.data(byNode, variables)).toEqual({
      order: { id: gid.order(order), status: 'PAID' },
      merchant: { name: merchant.name, ledger: { cash: { fen: '0' } } },
    });
  });

  it("a case's page reads the case and its evidence, messages, history, postings and score events in one message", async () => {
    const { merchant, caseId } = await scenario(app).merchant().order({ promoted: true }).case().underReview().ruled();
    for (const reader of [app, app.as(actors.merchant(merchant))]) {
      const { statements, messages } = await reader.roundTripsOf(AfterSalesCaseDocument, { id: caseId });
      expect(messages).toBe(1);
      expect(
        statements.filter((sql) => /from "(case_evidence|case_message|ledger_transaction|score_event)"/.test(sql)),
      ).toHaveLength(4);
    }
  });
});
