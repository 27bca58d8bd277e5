import { fromGlobalId } from '../src/graphql/global-id';

/**
 * The compared queries, each written once for the gateway and once for PostGraphile, with a function
 * that reduces either answer to the same plain shape (local uuids, amounts in fen) so that the
 * benchmark can check that both servers returned the same data.
 */
export interface Body {
  query: string;
  variables?: Record<string, unknown>;
}

export interface ComparedQuery {
  key: string;
  title: string;
  gateway: (i: number) => Body;
  peer: (i: number) => Body;
  sameData: { gateway: (data: Any) => unknown; peer: (data: Any) => unknown };
}

// Answers are untyped JSON here: each reducer reads the shape its own query asked for.
type Any = any;

const local = (globalId: string) => fromGlobalId(globalId)?.id ?? `not a global id: ${globalId}`;

/** Ids the rotating queries pick from: a thousand orders and every merchant, loaded before the run. */
export interface Pick {
  local: string;
  gateway: string;
}
export interface Picks {
  orders: Pick[];
  merchants: Pick[];
}

export function comparedQueries(picks: Picks): ComparedQuery[] {
  const order = (i: number) => picks.orders[i % picks.orders.length];
  const merchant = (i: number) => picks.merchants[i % picks.merchants.length];
  return [
    {
      key: 'Q1',
      title: '50 merchants × 20 orders × buyer + lines → product',
      gateway: () => ({
        query: `{ merchants(first: 50) { edges { node { id orders(first: 20) { edges { node {
                  id buyer { id } lines { product { id } } } } } } } } }`,
      }),
      peer: () => ({
        query: `{ allMerchants(first: 50, orderBy: [NAME_ASC, PRIMARY_KEY_ASC]) { nodes { rowId
                  ordersByMerchantId(first: 20, orderBy: [PAID_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
                    rowId buyerByBuyerId { rowId } orderLinesByOrderId(orderBy: [LINE_NO_ASC]) { nodes { productByProductId { rowId } } } } } } } }`,
      }),
      sameData: {
        gateway: (data) =>
          data.merchants.edges.map(({ node: m }: Any) => [
            local(m.id),
            m.orders.edges.map(({ node: o }: Any) => [
              local(o.id),
              local(o.buyer.id),
              o.lines.map((l: Any) => local(l.product.id)),
            ]),
          ]),
        peer: (data) =>
          data.allMerchants.nodes.map((m: Any) => [
            m.rowId,
            m.ordersByMerchantId.nodes.map((o: Any) => [
              o.rowId,
              o.buyerByBuyerId.rowId,
              o.orderLinesByOrderId.nodes.map((l: Any) => l.productByProductId.rowId),
            ]),
          ]),
      },
    },
    {
      key: 'Q2',
      title: 'one order by id with merchant and buyer',
      gateway: (i) => ({
        query: `query($id: ID!) { order(id: $id) { id status paidAmount { fen } merchant { id name } buyer { id nickname } } }`,
        variables: { id: order(i).gateway },
      }),
      peer: (i) => ({
        query: `query($id: UUID!) { orderByRowId(rowId: $id) { rowId status paidAmount
                  merchantByMerchantId { rowId name } buyerByBuyerId { rowId nickname } } }`,
        variables: { id: order(i).local },
      }),
      sameData: {
        gateway: ({ order: o }) => [
          local(o.id),
          o.status,
          o.paidAmount.fen,
          local(o.merchant.id),
          o.merchant.name,
          local(o.buyer.id),
          o.buyer.nickname,
        ],
        peer: ({ orderByRowId: o }) => [
          o.rowId,
          o.status,
          o.paidAmount,
          o.merchantByMerchantId.rowId,
          o.merchantByMerchantId.name,
          o.buyerByBuyerId.rowId,
          o.buyerByBuyerId.nickname,
        ],
      },
    },
    {
      key: 'Q3',
      title: 'orders(first: 50, COMPLETED) + totalCount',
      gateway: () => ({
        query: `{ orders(first: 50, filter: { status: [COMPLETED] }) { totalCount edges { node { id paidAmount { fen } } } } }`,
      }),
      peer: () => ({
        query: `{ allOrders(first: 50, condition: { status: "COMPLETED" }, orderBy: [PAID_AT_DESC, PRIMARY_KEY_DESC]) {
                  totalCount nodes { rowId paidAmount } } }`,
      }),
      sameData: {
        gateway: ({ orders }) => [
          orders.totalCount,
          orders.edges.map(({ node }: Any) => [local(node.id), node.paidAmount.fen]),
        ],
        peer: ({ allOrders }) => [allOrders.totalCount, allOrders.nodes.map((o: Any) => [o.rowId, o.paidAmount])],
      },
    },
    {
      key: 'Q5',
      title:
        'a merchant dashboard: scores, balances, 10 latest orders with buyer, open case and appeal counts, warnings',
      gateway: (i) => ({
        query: `query($id: ID!) { merchant(id: $id) { id name status
                  trust { band integrityScore }
                  ledger { cash { fen } ad { fen } }
                  orders(first: 10) { edges { node { id status paidAmount { fen } buyer { nickname } } } }
                  afterSalesCases(filter: { status: [UNDER_REVIEW] }) { totalCount }
                  appeals { totalCount }
                  warnings(first: 5) { edges { node { id kind message } } } } }`,
        variables: { id: merchant(i).gateway },
      }),
      peer: (i) => ({
        query: `query($id: UUID!) { merchantByRowId(rowId: $id) { rowId name status
                  merchantScoreByMerchantId { band integrity }
                  ledgerAccountsByMerchantId(orderBy: [CODE_ASC]) { nodes { kind balance } }
                  ordersByMerchantId(first: 10, orderBy: [PAID_AT_DESC, PRIMARY_KEY_DESC]) { nodes {
                    rowId status paidAmount buyerByBuyerId { nickname } } }
                  afterSalesCasesByMerchantId(condition: { status: "UNDER_REVIEW" }) { totalCount }
                  appealsByMerchantId { totalCount }
                  warningsByMerchantId(first: 5, orderBy: [RAISED_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId kind message } } } }`,
        variables: { id: merchant(i).local },
      }),
      sameData: {
        gateway: ({ merchant: m }) => [
          local(m.id),
          m.name,
          m.status,
          m.trust.band,
          Math.round(Number(m.trust.integrityScore) * 100), // stored in hundredths
          m.ledger.cash.fen,
          m.ledger.ad.fen,
          m.orders.edges.map(({ node: o }: Any) => [local(o.id), o.status, o.paidAmount.fen, o.buyer.nickname]),
          m.afterSalesCases.totalCount,
          m.appeals.totalCount,
          m.warnings.edges.map(({ node: w }: Any) => [local(w.id), w.kind, w.message]),
        ],
        peer: ({ merchantByRowId: m }) => {
          const balance = (kind: string) =>
            m.ledgerAccountsByMerchantId.nodes.find((a: Any) => a.kind === kind)?.balance ?? '0';
          return [
            m.rowId,
            m.name,
            m.status,
            m.merchantScoreByMerchantId?.band,
            Number(m.merchantScoreByMerchantId?.integrity),
            balance('MERCHANT_CASH'),
            balance('MERCHANT_AD'),
            m.ordersByMerchantId.nodes.map((o: Any) => [o.rowId, o.status, o.paidAmount, o.buyerByBuyerId.nickname]),
            m.afterSalesCasesByMerchantId.totalCount,
            m.appealsByMerchantId.totalCount,
            m.warningsByMerchantId.nodes.map((w: Any) => [w.rowId, w.kind, w.message]),
          ];
        },
      },
    },
    {
      key: 'Z',
      title: "a request's fixed cost: { __typename }, no data read",
      gateway: () => ({ query: '{ __typename }' }),
      peer: () => ({ query: '{ __typename }' }),
      sameData: { gateway: (data) => data.__typename, peer: (data) => data.__typename },
    },
    {
      key: 'L',
      title: "a merchant's balances and 20 latest postings",
      gateway: (i) => ({
        query: `query($id: ID!) { merchant(id: $id) { ledger { cash { fen } ad { fen } } }
                  ledgerTransactions(first: 20, filter: { merchantId: $id }) { edges { node { id kind amount { fen } effectiveAt } } } }`,
        variables: { id: merchant(i).gateway },
      }),
      peer: (i) => ({
        query: `query($id: UUID!) { merchantByRowId(rowId: $id) {
                  ledgerAccountsByMerchantId(orderBy: [CODE_ASC]) { nodes { kind balance } }
                  ledgerTransactionsByMerchantId(first: 20, orderBy: [EFFECTIVE_AT_DESC, PRIMARY_KEY_DESC]) { nodes { rowId kind amount effectiveAt } } } }`,
        variables: { id: merchant(i).local },
      }),
      sameData: {
        gateway: ({ merchant: m, ledgerTransactions }) => [
          m.ledger.cash.fen,
          m.ledger.ad.fen,
          ledgerTransactions.edges.map(({ node: t }: Any) => [
            local(t.id),
            t.kind,
            t.amount.fen,
            Date.parse(t.effectiveAt),
          ]),
        ],
        peer: ({ merchantByRowId: m }) => {
          const balance = (kind: string) =>
            m.ledgerAccountsByMerchantId.nodes.find((a: Any) => a.kind === kind)?.balance ?? '0';
          return [
            balance('MERCHANT_CASH'),
            balance('MERCHANT_AD'),
            m.ledgerTransactionsByMerchantId.nodes.map((t: Any) => [
              t.rowId,
              t.kind,
              t.amount,
              Date.parse(t.effectiveAt),
            ]),
          ];
        },
      },
    },
  ];
}
