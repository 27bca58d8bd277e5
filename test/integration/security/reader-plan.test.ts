import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLSchema, isObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReaderSchema, printSortedSchema } from '../../../src/graphql/schema';
import { gatewaySchema, MODULES } from '../../../src/modules';
import { isRoleGuard } from '../../../src/security/authorization';
import { Role } from '../../../src/security/roles';
import { factories } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const doc = (source: string) => parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;

const fieldsOf = (schema: GraphQLSchema) =>
  Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ path: `${type.name}.${field.name}`, field })));

/**
 * The role rule below the root is decided once per operation for actors that read every field: the
 * executor runs their operations against a twin of the schema without the per-object check, and
 * everyone else's against the guarded one.
 */
describe('the readers’ plan', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    await factories(app.orm).merchant({ externalId: 'PLAN-SHOP' });
  });
  afterAll(() => app?.close());

  it('has the same text as the schema, and none of its per-object role checks', async () => {
    const [guarded, readers] = [await gatewaySchema(), await getReaderSchema(MODULES)];
    expect(printSortedSchema(readers)).toBe(printSortedSchema(guarded));
    expect(fieldsOf(guarded).filter(({ field }) => isRoleGuard(field.resolve)).length).toBeGreaterThan(100);
    expect(fieldsOf(readers).filter(({ field }) => isRoleGuard(field.resolve))).toEqual([]);
    // A page's edges and nodes, and an entity row's scalars, are read in place; a count stays a resolver.
    const resolverOf = (path: string) => fieldsOf(readers).find((f) => f.path === path)!.field.resolve;
    expect(resolverOf('OrderEdge.node')).toBeUndefined();
    expect(resolverOf('OrderConnection.edges')).toBeUndefined();
    expect(resolverOf('LedgerTransaction.kind')).toBeUndefined();
    expect(resolverOf('OrderConnection.totalCount')).toBeDefined();
  });

  it('is chosen per request: one document, run by a reader between two runs by INGEST, never leaks', async () => {
    const upsert = doc(`mutation { upsertMerchant(input: { externalId: "PLAN-SHOP", name: "计划店", tier: STANDARD,
      mainCategory: "家居", region: ZHEJIANG, deposit: "100.00" }) { merchant { externalId orders { totalCount } } } }`);
    const ingest = () => app.as(actors.role(Role.INGEST)).execute(upsert);
    const denied = await ingest();
    expect(denied.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const read = await app.as(actors.admin).execute(upsert);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ upsertMerchant: { merchant: { externalId: 'PLAN-SHOP', orders: { totalCount: 0 } } } });
    expect((await ingest()).errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});
