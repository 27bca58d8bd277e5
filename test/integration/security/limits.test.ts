import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countAllStatements } from '../../../src/db/query-counter';
import { Role } from '../../../src/security/roles';
import type { Gateway } from '../../../src/server/app';
import { MAX_COMPLEXITY } from '../../../src/server/limits';
import { MerchantsWithOrdersDocument } from '../../generated/graphql';
import { factories } from '../../helpers/factories';
import { listeningGateway } from '../../helpers/http-gateway';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/** Abusive documents are refused while parsing, validating or planning: no resolver runs, no SQL. */
describe('query limits (production gateway over HTTP)', () => {
  let app: TestApp;
  let gateway: Gateway;
  let url: string;
  let token: string;
  beforeAll(async () => {
    app = await createTestApp();
    await factories(app.orm).merchant();
    const listening = await listeningGateway(app, { isProduction: true, introspection: false });
    ({ gateway, url } = listening);
    token = await listening.token(Role.ADMIN, 'limits');
  });
  afterAll(async () => {
    await gateway?.apollo.stop();
    await app?.close();
  });

  const post = async (query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };

  const nest = (levels: number): string => {
    // merchants → edges → node → orders → edges → node → merchant → orders → ...
    let inner = 'id';
    for (let i = 0; i < levels; i++) inner = `merchant { orders(first: 1) { edges { node { ${inner} } } } }`;
    return `{ orders(first: 1) { edges { node { ${inner} } } } }`;
  };

  const abusive: Record<string, { query: string; variables?: Record<string, unknown> }> = {
    'depth 20': { query: nest(5) },
    '100 aliases': {
      query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: merchants(first: 1) { totalCount }`).join(' ')} }`,
    },
    'cost bomb (page sizes as variables)': {
      query: `query($n: Int!) { merchants(first: $n) { edges { node { orders(first: $n) { edges { node { buyer { orders(first: $n) { edges { node { id } } } } } } } } } } }`,
      variables: { n: 100 },
    },
    '10,000 tokens': { query: `{ merchants(first: 1) { ${'totalCount '.repeat(10_000)} } }` },
    '30 directives': { query: `{ merchants(first: 1) { ${'... @include(if: true) { totalCount } '.repeat(30)} } }` },
    '40,000 hypothetical events as a variable': {
      query: `query($events: [HypotheticalEventInput!]!) { simulateMerchantScore(merchantId: "x", events: $events) { userErrors { code } } }`,
      variables: { events: Array.from({ length: 40_000 }, () => ({ factor: 'SHIPPED_LATE', count: 1000 })) },
    },
  };

  for (const [name, { query, variables }] of Object.entries(abusive)) {
    it(`refuses ${name} before any SQL, without stating the limit`, async () => {
      const { result, statements } = await countAllStatements(() => post(query, variables));
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0].extensions?.code).toMatch(/GRAPHQL_(VALIDATION|PARSE)_FAILED/);
      expect(statements).toEqual([]);
      expect(result.errors!.map((e) => e.message).join(' ')).not.toMatch(/\d{2,}/);
    });
  }

  it(`accepts the documented deep query (50 merchants × 20 orders), well under ${MAX_COMPLEXITY}`, async () => {
    const result = await post(print(MerchantsWithOrdersDocument), { first: 50 });
    expect(result.errors).toBeUndefined();
  });

  it('counts the cost of each page size again although the document is the same', async () => {
    // Costs are remembered per document and page sizes; a small size first must not let a large one
    // through, nor may variables that do not fit (cost unknown) leave a gap for the same sizes later.
    const query = `query($n: Int!, $status: [OrderStatus!]) { merchants(first: $n) { edges { node {
      orders(first: $n, filter: { status: $status }) { edges { node { lines { quantity } } } } } } } }`;
    expect((await post(query, { n: 2, status: ['PAID'] })).errors).toBeUndefined();
    const unfit = await post(query, { n: 150, status: ['NOT_A_STATUS'] });
    expect(unfit.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    for (let i = 0; i < 2; i++) {
      const { result, statements } = await countAllStatements(() => post(query, { n: 150, status: ['PAID'] }));
      expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(statements).toEqual([]);
    }
    expect((await post(query, { n: 2, status: null })).errors).toBeUndefined();
  });

  it('bounds the what-if: more than 100 hypothetical events is a client error, before any work', async () => {
    const events = Array.from({ length: 101 }, () => ({ factor: 'SHIPPED_LATE', count: 1000 }));
    const { result, statements } = await countAllStatements(() =>
      post(
        `query($events: [HypotheticalEventInput!]!) { simulateMerchantScore(merchantId: "x", events: $events) { userErrors { code } } }`,
        { events },
      ),
    );
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(statements).toEqual([]);
  });

  it('offers no field suggestions in production', async () => {
    const result = await post('{ merchantz { id } }');
    expect(result.errors?.[0].message).toMatch(/Cannot query field/);
    expect(result.errors?.[0].message).not.toMatch(/Did you mean/);
  });
});
