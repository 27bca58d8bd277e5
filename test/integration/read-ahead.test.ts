import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLObjectType, getNamedType, isObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../src/modules';
import { factories, gid } from '../helpers/factories';
import { caseUnderReview, scenario } from '../helpers/scenario';
import { selectAll } from '../helpers/select-all';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';

type AnyDocument = TypedDocumentNode<Record<string, never>, Record<string, unknown>>;
const doc = (query: string) => parse(query) as unknown as AnyDocument;

/**
 * A root field that takes an object's id starts the reads of the object's fields marked
 * `ReadsParentIdOnly` before the object's own row is read, and `node(id:)` reads only the columns
 * its fragment asks. Generated from the schema: every such root field, and `node(id:)` on its type,
 * answers a full selection exactly as `nodes(ids:)` (which reads objects whole and nothing ahead), for
 * staff and for the owning merchant, and every type with marked fields is probed.
 */
describe('reading ahead from a root field’s id', () => {
  let app: TestApp;
  const ids = new Map<string, string>();
  let merchantActor: ReturnType<typeof actors.merchant>;

  beforeAll(async () => {
    app = await createTestApp();
    const merchant = await factories(app.orm).merchant();
    merchantActor = actors.merchant(merchant);
    const ruled = await caseUnderReview(app, merchant, 'READ-AHEAD-1');
    await ruled.rule();
    const { order } = (await app.data(
      doc(`query ($id: ID!) { order(id: $id) { id buyer { id } lines { product { id } } } }`),
      { id: ruled.orderId },
    )) as unknown as { order: { id: string; buyer: { id: string }; lines: { product: { id: string } }[] } };
    const { appealId } = await scenario(app, { merchant, caseId: ruled.caseId })
      .appeal()
      .decided({ upheld: false, reason: '证据不足', clause: 'refundOnly.keyEvidence.QUALITY' });
    ids.set('Appeal', appealId);
    ids.set('AfterSalesCase', ruled.caseId);
    ids.set('Merchant', gid.merchant(merchant));
    ids.set('Order', order.id);
    ids.set('Buyer', order.buyer.id);
    ids.set('Product', order.lines[0].product.id);
  });
  afterAll(() => app?.close());

  it('answers every root field that reads ahead, and node(id:), exactly as nodes(ids:) does', async () => {
    const schema = await gatewaySchema();
    const readsAhead = (type: GraphQLObjectType) =>
      Object.values(type.getFields()).some((field) => field.extensions?.readsParentIdOnly);
    const roots = Object.values(schema.getQueryType()!.getFields()).filter((field) => {
      const type = getNamedType(field.type);
      return field.args.length === 1 && field.args[0].name === 'id' && isObjectType(type) && readsAhead(type);
    });
    expect(roots.map((root) => root.name).sort()).toEqual([
      'afterSalesCase',
      'appeal',
      'buyer',
      'merchant',
      'order',
      'product',
    ]);
    for (const root of roots) {
      const type = getNamedType(root.type) as GraphQLObjectType;
      const id = ids.get(type.name);
      expect(id, `a ${type.name} to probe ${root.name}(id:) with`).toBeDefined();
      const selection = selectAll(schema, type, 3);
      const viaRoot = `{ found: ${root.name}(id: "${id}") { ${selection} } }`;
      const viaNode = `{ found: node(id: "${id}") { ... on ${type.name} { ${selection} } } }`;
      // nodes(ids:) reads each object whole and nothing ahead: the answer to match.
      const plainly = `{ found: nodes(ids: ["${id}"]) { ... on ${type.name} { ${selection} } } }`;
      const readers = type.name === 'Buyer' ? [app] : [app, app.as(merchantActor)];
      for (const reader of readers) {
        const [ahead, node, plain] = await Promise.all(
          [viaRoot, viaNode, plainly].map((query) => reader.execute(doc(query))),
        );
        expect(ahead.errors, `${root.name}: ${JSON.stringify(ahead.errors)}`).toBeUndefined();
        const [whole] = (plain.data as unknown as { found: unknown[] }).found;
        expect(ahead.data, root.name).toEqual({ found: whole });
        expect(node.data, `node as ${type.name}`).toEqual({ found: whole });
        expect((ahead.data as unknown as { found: unknown }).found).not.toBeNull();
      }
    }
  });

  it('reads nothing for the actor from an object that is not its own', async () => {
    const other = await factories(app.orm).merchant();
    const schema = await gatewaySchema();
    const selection = selectAll(schema, schema.getType('Merchant') as GraphQLObjectType, 3);
    const result = await app
      .as(actors.merchant(other))
      .execute(doc(`{ found: merchant(id: "${ids.get('Merchant')}") { ${selection} } }`));
    expect(result).toEqual({ data: { found: null } });
  });
});
