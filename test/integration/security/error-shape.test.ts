import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestOrdersDocument, MerchantDocument, OrdersDocument } from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { actors, createTestApp, type GraphQLResult, type TestApp } from '../../helpers/test-app';
import { Role } from '../../../src/security/roles';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';

type AnyDocument = TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
const doc = (query: string) => parse(query) as unknown as AnyDocument;

/**
 * One error shape, whichever layer raised it: every error about an argument carries `extensions.code`
 * and `extensions.field`, the path to the offending value, as `userErrors[].field` does.
 */
describe('one error shape for every layer', () => {
  let app: TestApp;
  let merchant: Merchant;
  let refs: Parameters<typeof orderInput>[0];

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    merchant = await make.merchant();
    refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
  });
  afterAll(() => app?.close());

  const firstError = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions;

  it('GraphQL validation of an inline literal: the path of the literal', async () => {
    const result = await app.execute(
      doc(`mutation { ingestOrders(input: [{ platform: PINDUODUO, externalNumber: "X1", merchantId: "m", buyerId: "b",
        lines: [], paidAmount: "12.3456", shippingFee: "0", destinationRegion: JIANGSU, paidAt: "2026-01-01T00:00:00Z" }])
        { createdCount } }`),
    );
    expect(result.errors?.map((e) => e.extensions)).toContainEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      field: ['input', '0', 'paidAmount'],
    });
    expect(result.errors?.every((e) => Array.isArray(e.extensions?.field))).toBe(true);
    const wrongKind = await app.execute(doc(`{ orders(first: "ten", filter: { status: [PAID, 7] }) { totalCount } }`));
    expect(wrongKind.errors?.map((e) => e.extensions)).toEqual([
      { code: 'GRAPHQL_VALIDATION_FAILED', field: ['first'] },
      { code: 'GRAPHQL_VALIDATION_FAILED', field: ['filter', 'status', '1'] },
    ]);
  });

  it('scalar parsing of a variable: the variable, then the path inside it', async () => {
    const input = [{ ...orderInput(refs), paidAmount: '12.3456' }];
    const result = await app.execute(IngestOrdersDocument, { input } as never);
    expect(firstError(result)).toEqual({ code: 'BAD_USER_INPUT', field: ['input', '0', 'paidAmount'] });
    const missing = await app.execute(OrdersDocument, { first: 'ten' } as never);
    expect(firstError(missing)).toEqual({ code: 'BAD_USER_INPUT', field: ['first'] });
  });

  it('class-validator on arguments: the field, and every field when there are several', async () => {
    const result = await app.execute(OrdersDocument, { first: 500 });
    expect(firstError(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: ['first'] });
  });

  it('a resolver or service refusing an argument: the same path form', async () => {
    const badId = await app.execute(MerchantDocument, { id: 'not-an-id' });
    expect(firstError(badId)).toEqual({ code: 'BAD_USER_INPUT', field: ['id'] });
    const badFilter = await app.execute(OrdersDocument, { filter: { merchantId: 'nope' } });
    expect(firstError(badFilter)).toEqual({ code: 'BAD_USER_INPUT', field: ['filter', 'merchantId'] });
    const badCursor = await app.execute(OrdersDocument, { after: 'nope' });
    expect(firstError(badCursor)).toEqual({ code: 'BAD_USER_INPUT', field: ['after'] });
  });

  it('a mutation refusing its input: userErrors with the same path', async () => {
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput({ ...refs, merchant: { ...merchant, id: '00000000-0000-4000-8000-000000000000' } as never })],
    });
    expect(ingestOrders.results[0].userErrors[0]).toMatchObject({ field: ['input', '0', 'merchantId'] });
  });

  it('a JSON object written inline is a value like any other, never a server error', async () => {
    const result = await app.as(actors.role(Role.POLICY_ADMIN)).execute(
      doc(`query { simulatePolicy(changes: { refundOnly: { platformInterventionCap: 10000 } },
        from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { simulation { casesReplayed } userErrors { code } } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ simulatePolicy: { simulation: { casesReplayed: 0 }, userErrors: [] } });
  });

  it('what another merchant owns reads as absent, exactly like what does not exist', async () => {
    const other = await factories(app.orm).merchant();
    const asMerchant = app.as(actors.merchant(merchant));
    const hidden = await asMerchant.execute(MerchantDocument, { id: gid.merchant(other) });
    const missing = await asMerchant.execute(MerchantDocument, {
      id: gid.merchant({ id: '00000000-0000-4000-8000-000000000000' }),
    });
    expect(hidden).toEqual(missing);
    expect(hidden).toEqual({ data: { merchant: null } });
  });
});
