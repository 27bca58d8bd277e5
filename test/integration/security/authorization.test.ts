import { buildSchema as buildSdl, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denyRootFieldsWithoutRule, rootFieldsWithoutRule } from '../../../src/security/authorization';
import { Role } from '../../../src/security/roles';
import {
  BuyerDocument,
  IngestOrdersDocument,
  MerchantsDocument,
  OrdersDocument,
  SetMerchantStatusDocument,
  TransitionOrderDocument,
  UpsertMerchantDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import type { Actor } from '../../../src/security/actor';
import { actors, type Client, createTestApp, type TestApp } from '../../helpers/test-app';
import { gatewaySchema } from '../../../src/modules';

describe('authorization', () => {
  let app: TestApp;
  let operations: Record<
    string,
    (client: Client) => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>
  >;
  let merchantActor: Actor;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
    const ingested = await app.data(IngestOrdersDocument, { input: [orderInput(refs)] });
    const orderId = ingested.ingestOrders.results[0].order!.id;
    const merchantInput = {
      externalId: 'SHOP-AUTHZ',
      name: '授权测试',
      tier: 'SMALL',
      mainCategory: '食品',
      region: 'HUNAN',
      deposit: '0',
    } as const;
    operations = {
      merchants: (client) => client.execute(MerchantsDocument, {}),
      orders: (client) => client.execute(OrdersDocument, {}),
      buyer: (client) => client.execute(BuyerDocument, { id: gid.buyer(refs.buyer) }),
      upsertMerchant: (client) => client.execute(UpsertMerchantDocument, { input: merchantInput }),
      setMerchantStatus: (client) =>
        client.execute(SetMerchantStatusDocument, {
          input: { merchantId: gid.merchant(merchant), status: 'WARNED', reason: '测试' },
        }),
      ingestOrders: (client) => client.execute(IngestOrdersDocument, { input: [orderInput(refs)] }),
      transitionOrder: (client) =>
        client.execute(TransitionOrderDocument, { input: { orderId, to: 'SHIPPED', reason: '测试' } }),
    };
    merchantActor = actors.merchant(merchant);
  });
  afterAll(() => app?.close());

  const run = (role: Role, operation: string) =>
    operations[operation](app.as(role === Role.MERCHANT ? merchantActor : actors.role(role)));

  it('every root field carries an explicit rule', async () => {
    expect(rootFieldsWithoutRule(await gatewaySchema())).toEqual([]);
  });

  it('a root field without a rule is denied to everyone', async () => {
    const schema = denyRootFieldsWithoutRule(buildSdl('type Query { secret: String }'));
    const result = await graphql({ schema, source: '{ secret }', rootValue: { secret: 'x' } });
    expect(result.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('anonymous callers are refused everywhere', async () => {
    const result = await app.as(actors.anonymous).execute(MerchantsDocument, {});
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  // One operation each role must be able to do, and one it must not.
  const matrix: [Role, string, string][] = [
    [Role.MERCHANT, 'orders', 'buyer'],
    [Role.ARBITRATOR, 'merchants', 'setMerchantStatus'],
    [Role.RISK, 'setMerchantStatus', 'ingestOrders'],
    [Role.FINANCE, 'orders', 'upsertMerchant'],
    [Role.POLICY_ADMIN, 'merchants', 'transitionOrder'],
    [Role.INGEST, 'ingestOrders', 'orders'],
    [Role.ADMIN, 'upsertMerchant', ''],
  ];
  for (const [role, allowed, denied] of matrix) {
    it(`${role} may ${allowed}${denied ? ` but not ${denied}` : ''}`, async () => {
      const ok = await run(role, allowed);
      expect(ok.errors, JSON.stringify(ok.errors)).toBeUndefined();
      if (!denied) return;
      const refused = await run(role, denied);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });
  }
});
