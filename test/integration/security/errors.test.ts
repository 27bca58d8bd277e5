import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestOrdersDocument, OrderDocument } from '../../generated/graphql';
import { factories, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

describe('unexpected errors in production', () => {
  let app: TestApp;
  let orderId: string;
  beforeAll(async () => {
    app = await createTestApp({ isProduction: true });
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput({ merchant, buyer: await make.buyer(), product: await make.product(merchant) })],
    });
    orderId = ingestOrders.results[0].order!.id;
    // Break the database under the gateway: the next read of order lines fails inside PostgreSQL.
    await app.orm.em.getKnex().raw('alter table order_line rename to order_line_gone');
  });
  afterAll(() => app?.close());

  it('answer a generic message with a request id: no stack, no SQL, no database message', async () => {
    const result = await app.execute(OrderDocument, { id: orderId });
    const error = result.errors?.[0];
    expect(error).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
    });
    const text = JSON.stringify(result);
    expect(text).not.toMatch(/order_line|select|relation|stack|\.ts:|at /i);
  });

  it('suggest no enum values or types: the schema is not mapped through error messages', async () => {
    const query = '{ merchants(first: 1, filter: { tier: [STRENGHT] }) { totalCount } }';
    const result = await app.execute(parse(query) as TypedDocumentNode<unknown, Record<string, never>>);
    expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0].message).toMatch(/STRENGHT/);
    expect(JSON.stringify(result)).not.toMatch(/Did you mean|STRENGTH/);
  });
});
