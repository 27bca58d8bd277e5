import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import fc from 'fast-check';
import {
  getNamedType,
  type GraphQLInputType,
  type GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gid, factories, orderInput } from '../../helpers/factories';
import { selectAll } from '../../helpers/select-all';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { IngestOrdersDocument } from '../../generated/graphql';
import { ENTITIES } from '../../../src/graphql/subgraph';
import { Role } from '../../../src/security/roles';
import { createApollo } from '../../../src/server/app';
import { createRequestContext } from '../../../src/server/context';
import { GATEWAY, MODULES, gatewaySchema, gatewaySubgraphSchema } from '../../../src/modules';

/**
 * Arguments generated from the schema for every root field: valid, edge and hostile values of each
 * type (NUL bytes, forged ids, year 0000, 10^15, wrong enums). Whatever arrives, the answer is data, a
 * validation error or a userError — never INTERNAL_SERVER_ERROR.
 */
describe('fuzzing every root field with arguments generated from the schema', () => {
  let app: TestApp;
  const ids: string[] = [];

  beforeAll(async () => {
    app = await createTestApp({ isProduction: true });
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
    const { ingestOrders } = await app.data(IngestOrdersDocument, { input: [orderInput(refs)] });
    ids.push(
      gid.merchant(merchant),
      gid.buyer(refs.buyer),
      gid.product(refs.product),
      ingestOrders.results[0].order!.id,
    );
  });
  afterAll(() => app?.close());

  const hostileString = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.constantFrom('', '\u0000', 'a\u0000b', "'; drop table merchant; --", '%_\\', '😀'.repeat(50), 'x'.repeat(3000)),
  );
  const scalar = (name: string): fc.Arbitrary<unknown> => {
    switch (name) {
      case 'Int':
        return fc.oneof(fc.integer({ min: -5, max: 200 }), fc.constantFrom(-2147483648, 2147483647, 0));
      case 'Float':
        return fc.double({ noNaN: true });
      case 'Boolean':
        return fc.boolean();
      case 'ID':
        return fc.oneof(
          fc.constantFrom(...ids),
          hostileString,
          fc.constantFrom(
            Buffer.from('Merchant:not-a-uuid').toString('base64url'),
            Buffer.from('Order:00000000-0000-4000-8000-000000000000').toString('base64url'),
          ),
        );
      case 'DateTime':
        return fc.oneof(
          fc
            .date({ min: new Date('1971-01-01'), max: new Date('2099-01-01'), noInvalidDate: true })
            .map((d) => d.toISOString()),
          fc.constantFrom('0000-01-01T00:00:00Z', '1960-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'yesterday', ''),
        );
      case 'YuanAmount':
        return fc.oneof(
          fc.integer({ min: 0, max: 10_000_000 }).map((fen) => (fen / 100).toFixed(2)),
          fc.constantFrom('0', '0.00', '9999999999999.99', '-1', '1e5', '1.234', 'abc', ''),
        );
      case 'JSONObject':
        return fc.oneof(
          fc.object({ maxDepth: 2 }),
          fc.constantFrom({ techServiceFee: { cap: 1e15 } }, { trust: null }, {}),
        );
      default:
        return hostileString;
    }
  };

  function valueOf(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
    if (isNonNullType(type)) return valueOf(type.ofType, depth);
    if (isListType(type)) return fc.array(valueOf(type.ofType, depth + 1), { maxLength: depth ? 2 : 4 });
    if (isEnumType(type))
      return fc.oneof(fc.constantFrom(...type.getValues().map((v) => v.value as string)), fc.constant('NOT_A_VALUE'));
    if (isScalarType(type)) return scalar(type.name);
    if (isInputObjectType(type) && depth < 3) {
      const fields = Object.values(type.getFields());
      return fc.record(
        Object.fromEntries(fields.map((field) => [field.name, nullable(field.type, valueOf(field.type, depth + 1))])),
        { requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name) },
      );
    }
    return fc.constant(null);
  }
  const nullable = (type: GraphQLInputType, value: fc.Arbitrary<unknown>) =>
    isNonNullType(type) ? value : fc.option(value, { nil: null });

  /**
   * The same value written inline in the document, as a client may: scalars and input objects are
   * then parsed by `parseLiteral` during validation, a path that variables never take.
   */
  function literalOf(value: unknown, type: GraphQLInputType): string {
    if (value === null || value === undefined) return 'null';
    if (isNonNullType(type)) return literalOf(value, type.ofType);
    if (isListType(type))
      return Array.isArray(value)
        ? `[${value.map((item) => literalOf(item, type.ofType)).join(', ')}]`
        : literalOf(value, type.ofType);
    if (isEnumType(type)) return /^[_A-Za-z][_0-9A-Za-z]*$/.test(String(value)) ? String(value) : JSON.stringify(value);
    if (isInputObjectType(type)) {
      const fields = type.getFields();
      return `{ ${Object.entries(value as object)
        .filter(([name]) => fields[name])
        .map(([name, item]) => `${name}: ${literalOf(item, fields[name].type)}`)
        .join(', ')} }`;
    }
    return jsonLiteral(value);
  }
  const jsonLiteral = (value: unknown): string =>
    Array.isArray(value)
      ? `[${value.map(jsonLiteral).join(', ')}]`
      : value !== null && typeof value === 'object'
        ? `{ ${Object.entries(value)
            .filter(([key]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(key))
            .map(([key, item]) => `${key}: ${jsonLiteral(item)}`)
            .join(', ')} }`
        : value === undefined
          ? 'null'
          : JSON.stringify(value);

  it('answers every generated request without an internal error', async () => {
    const schema = await gatewaySchema();
    const roots = [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!];
    const internal: string[] = [];
    let answered = 0;
    let requests = 0;
    for (const root of roots) {
      for (const field of Object.values(root.getFields())) {
        const named = getNamedType(field.type);
        const selection = isObjectType(named)
          ? `{ ${selectAll(schema, named as GraphQLObjectType, 1)} }`
          : isScalarType(named) || isEnumType(named)
            ? ''
            : '{ __typename }';
        const declared = field.args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
        const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
        const operation =
          root === schema.getMutationType()
            ? 'mutation'
            : root === schema.getSubscriptionType()
              ? 'subscription'
              : 'query';
        const text = `${operation}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''} ${selection} }`;
        const document = parse(text) as TypedDocumentNode<unknown, Record<string, unknown>>;
        const variables = fc.record(
          Object.fromEntries(field.args.map((arg) => [arg.name, nullable(arg.type, valueOf(arg.type))])),
        );
        await fc.assert(
          fc.asyncProperty(variables, async (vars) => {
            for (const actor of [
              actors.admin,
              actors.merchant({ id: Buffer.from(ids[0], 'base64url').toString().split(':')[1] }),
            ]) {
              const result = await app.as(actor).execute(document, vars as Record<string, unknown>);
              requests++;
              if (result.data) answered++;
              const bad = (result.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
              if (bad.length)
                internal.push(`${field.name} ${JSON.stringify(vars).slice(0, 300)} → ${bad[0].extensions?.requestId}`);
            }
            // The same values inline.
            const inline = field.args
              .filter((arg) => (vars as Record<string, unknown>)[arg.name] !== undefined)
              .map((arg) => `${arg.name}: ${literalOf((vars as Record<string, unknown>)[arg.name], arg.type)}`)
              .join(', ');
            const literal = `${operation} { ${field.name}${inline ? `(${inline})` : ''} ${selection} }`;
            const result = await app.execute(parse(literal) as TypedDocumentNode<unknown, Record<string, never>>);
            requests++;
            if (result.data) answered++;
            const bad = (result.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
            if (bad.length) internal.push(`${literal.slice(0, 300)} → ${bad[0].extensions?.requestId}`);
          }),
          { numRuns: 60, seed: 9, endOnFailure: true },
        );
      }
    }
    expect(internal).toEqual([]);
    // The values are not all refused at the door: a good share reach the resolvers and answer.
    expect(answered / requests).toBeGreaterThan(0.2);
  });

  it('answers hostile _entities representations on the subgraph without an internal error', async () => {
    const subgraph = await createApollo({
      gateway: GATEWAY,
      isProduction: true,
      introspection: false,
      schema: await gatewaySubgraphSchema(),
      requireSignIn: true,
    });
    const representation = fc.oneof(
      fc.record({ __typename: fc.constantFrom(...ENTITIES, 'Ledger', '', '__proto__'), id: scalar('ID') }),
      fc.record({ __typename: fc.constantFrom(...ENTITIES) }),
      fc.anything(),
    );
    const internal: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(representation, { maxLength: 120 }), async (representations) => {
        for (const actor of [actors.admin, actors.anonymous, actors.role(Role.INGEST)]) {
          const response = await subgraph.executeOperation(
            {
              query: `query($r: [_Any!]!) { _entities(representations: $r) { __typename ${ENTITIES.map(
                (t) => `... on ${t} { id }`,
              ).join(' ')} } }`,
              variables: { r: representations },
            },
            { contextValue: createRequestContext(app.orm, MODULES, { actor }) },
          );
          const body = JSON.parse(JSON.stringify(response.body)) as { singleResult?: { errors?: any[] } };
          const bad = (body.singleResult?.errors ?? []).filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
          if (bad.length) internal.push(`${JSON.stringify(representations).slice(0, 200)} → ${bad[0].message}`);
        }
      }),
      { numRuns: 80, seed: 21, endOnFailure: true },
    );
    await subgraph.stop();
    expect(internal).toEqual([]);
  });
});
