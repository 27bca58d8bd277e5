import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../../../src/config';
import { countStatements } from '../../../src/db/query-counter';
import { ENTITIES, printSubgraph } from '../../../src/graphql/subgraph';
import { complexityOf, MAX_REPRESENTATIONS } from '../../../src/server/limits';
import { selectAllOf } from '../../helpers/select-all';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { type Actor } from '../../../src/security/actor';
import { Role } from '../../../src/security/roles';
import { createGateway, type Gateway } from '../../../src/server/app';
import { createRequestContext } from '../../../src/server/context';
import { factories, gid } from '../../helpers/factories';
import { tokenFor } from '../../helpers/gateway-process';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { GATEWAY, MODULES, gatewaySubgraphSchema } from '../../../src/modules';

/** A second team's subgraph: shop pages, which know merchants only by their key and add a field. */
const SHOP_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Merchant @key(fields: "id") {
    id: ID!
    followers: Int!
  }
  type Query {
    featuredShops: [Merchant]!
  }
`;

describe('the gateway as an Apollo Federation 2 subgraph', () => {
  let app: TestApp;
  let weiquan: Gateway;
  let shop: ApolloServer;
  let router: ApolloServer<{ authorization: string }>;
  let merchants: Merchant[];

  const urlOf = (server: { address(): unknown }) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routed = async (actor: Actor, query: string) => {
    const response = await router.executeOperation(
      { query },
      { contextValue: { authorization: `Bearer ${await tokenFor(actor)}` } },
    );
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.parse(JSON.stringify(response.body.singleResult)) as { data?: any; errors?: any[] };
  };

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const buyer = await make.buyer();
    merchants = [];
    for (let i = 0; i < 3; i++) {
      const merchant = await make.merchant({ name: `联邦商家${i}` });
      await make.orders([{ merchant, buyer, product: await make.product(merchant), count: i + 1 }]);
      merchants.push(merchant);
    }
    weiquan = await createGateway(app.orm, {
      gateway: GATEWAY,
      isProduction: false,
      introspection: true,
      subgraph: true,
      auth: { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret: DEVELOPMENT_JWT_SECRET, jwksUrl: undefined },
    });
    await new Promise<void>((resolve) => weiquan.httpServer.listen(0, '127.0.0.1', resolve));

    shop = new ApolloServer({
      plugins: [ApolloServerPluginInlineTraceDisabled()],
      schema: buildSubgraphSchema({
        typeDefs: parse(SHOP_SDL),
        resolvers: {
          Query: { featuredShops: () => merchants.map((m) => ({ id: gid.merchant(m) })) },
          Merchant: {
            __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
            followers: (m: { id: string }) => 1000 + merchants.findIndex((x) => gid.merchant(x) === m.id),
          },
        },
      }),
    });
    const { url: shopUrl } = await startStandaloneServer(shop, { listen: { port: 0, host: '127.0.0.1' } });

    const composed = composeServices([
      {
        name: 'weiquan',
        typeDefs: parse(printSubgraph(await gatewaySubgraphSchema())),
        url: `${urlOf(weiquan.httpServer)}/subgraph`,
      },
      { name: 'shop', typeDefs: parse(SHOP_SDL), url: shopUrl },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    const gateway = new ApolloGateway({
      supergraphSdl: composed.supergraphSdl!,
      // The router passes the client's token on to every subgraph.
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization: string }>({
          url,
          willSendRequest: ({ request, context }) =>
            void request.http!.headers.set('authorization', context.authorization),
        }),
    });
    router = new ApolloServer<{ authorization: string }>({ gateway } as never);
    await router.start();
  });

  afterAll(async () => {
    await router?.stop();
    await shop?.stop();
    await weiquan?.stop();
    await app?.close();
  });

  it('composes with another subgraph, and a query crosses both ways through _entities', async () => {
    // shop → weiquan: the shop's merchants get their names and orders from the gateway.
    const featured = await routed(
      actors.admin,
      '{ featuredShops { id name followers orders(first: 5) { totalCount } } }',
    );
    expect(featured.errors).toBeUndefined();
    expect(featured.data.featuredShops).toEqual(
      merchants.map((m, i) => ({
        id: gid.merchant(m),
        name: `联邦商家${i}`,
        followers: 1000 + i,
        orders: { totalCount: i + 1 },
      })),
    );
    // weiquan → shop: the gateway's merchants get the shop's field.
    const listed = await routed(actors.admin, '{ merchants(first: 10) { edges { node { name followers } } } }');
    expect(listed.errors).toBeUndefined();
    expect(listed.data.merchants.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([{ name: '联邦商家2', followers: 1002 }]),
    );
  });

  it('applies the tenant rules to references: a merchant resolves only itself', async () => {
    const [own, ...others] = merchants;
    const result = await routed(actors.merchant(own), '{ featuredShops { id name } }');
    const text = JSON.stringify(result);
    expect(result.data.featuredShops[0]).toEqual({ id: gid.merchant(own), name: '联邦商家0' });
    for (const other of others) expect(text).not.toContain(other.name);
    // Without a token, or as a role that reads no merchant data, references are refused.
    const anonymous = await weiquan.subgraph!.executeOperation(
      {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Merchant { name } } }',
        variables: { r: [{ __typename: 'Merchant', id: gid.merchant(own) }] },
      },
      { contextValue: createRequestContext(app.orm, MODULES, { actor: actors.anonymous }) },
    );
    expect(JSON.stringify(anonymous.body)).toMatch(/UNAUTHENTICATED/);
    const ingest = await weiquan.subgraph!.executeOperation(
      {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Merchant { name } } }',
        variables: { r: [{ __typename: 'Merchant', id: gid.merchant(own) }] },
      },
      { contextValue: createRequestContext(app.orm, MODULES, { actor: actors.role(Role.INGEST) }) },
    );
    expect(JSON.stringify(ingest.body)).toMatch(/FORBIDDEN/);
    expect(JSON.stringify(ingest.body)).not.toContain('联邦商家0');
  });

  it('resolves a batch of representations in the statements of one', async () => {
    const statementsFor = async (count: number) => {
      const representations = Array.from({ length: count }, (_, i) => ({
        __typename: 'Merchant',
        id: gid.merchant(merchants[i % merchants.length]),
      }));
      const { result, statements } = await countStatements(() =>
        weiquan.subgraph!.executeOperation(
          {
            query: `query($r: [_Any!]!) { _entities(representations: $r) {
              ... on Merchant { name orders(first: 3) { totalCount edges { node { buyer { nickname } } } } } } }`,
            variables: { r: representations },
          },
          { contextValue: createRequestContext(app.orm, MODULES, { actor: actors.admin }) },
        ),
      );
      expect(JSON.stringify(result.body)).not.toMatch(/"errors"/);
      return statements.length;
    };
    const one = await statementsFor(1);
    expect(await statementsFor(30)).toBe(one);
    expect(one).toBeLessThanOrEqual(4);
  });

  it('costs N representations N times one, for every entity type, and refuses more than the maximum before any SQL', async () => {
    const schema = await gatewaySubgraphSchema();
    for (const typename of ENTITIES) {
      const document = parse(
        `query($r: [_Any!]!) { _entities(representations: $r) { ${selectAllOf(schema, typename, 2)} } }`,
      );
      const cost = (n: number) =>
        complexityOf(schema, document, {
          r: Array.from({ length: n }, () => ({ __typename: typename, id: gid.merchant(merchants[0]) })),
        })!;
      expect(cost(7) - 1, typename).toBe(7 * (cost(1) - 1));
    }
    const tooMany = Array.from({ length: MAX_REPRESENTATIONS + 1 }, () => ({
      __typename: 'Order',
      id: gid.merchant(merchants[0]),
    }));
    const { result, statements } = await countStatements(() =>
      weiquan.subgraph!.executeOperation(
        {
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }',
          variables: { r: tooMany },
        },
        { contextValue: createRequestContext(app.orm, MODULES, { actor: actors.admin }) },
      ),
    );
    expect(JSON.parse(JSON.stringify(result.body)).singleResult.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['representations'],
    });
    expect(statements).toEqual([]);
    // The report's crash: 100 orders each asking for 100 orders with their lines, refused as too costly.
    const heavy = await weiquan.subgraph!.executeOperation(
      {
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
          merchant { orders(first: 100) { edges { node { id lines { product { title } } } } } } } } }`,
        variables: { r: tooMany.slice(0, MAX_REPRESENTATIONS) },
      },
      { contextValue: createRequestContext(app.orm, MODULES, { actor: actors.admin }) },
    );
    expect(JSON.stringify(heavy.body)).toMatch(/too complex/);
  });

  it('answers its SDL only to a signed-in caller, as every operation', async () => {
    const url = `${urlOf(weiquan.httpServer)}/subgraph`;
    const ask = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ _service { sdl } }' }),
      });
    const anonymous = await ask({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain('type Merchant');
    const router = await ask({ authorization: `Bearer ${await tokenFor(actors.role(Role.INGEST))}` });
    expect(router.status).toBe(200);
    expect(((await router.json()) as any).data._service.sdl).toContain('type Merchant');
  });
});
