import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  getNamedType,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDataIfEmpty } from '../../src/cli/seed-demo-data';
import { fromGlobalId } from '../../src/graphql/global-id';
import { createTestApp, type GraphQLResult, type TestApp } from '../helpers/test-app';
import { gatewaySchema } from '../../src/modules';

type AnyDocument = TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface ConnectionResult {
  totalCount: number;
  edges: { cursor: string }[];
  pageInfo: PageInfo;
}

/** A connection field, how to reach an object that has it, and the sort orders it offers. */
interface ConnectionCase {
  name: string;
  /** The Node type to start from with `node(id:)`, or null for a root field of Query. */
  start: string | null;
  /** Fields from the start object down to the one holding the connection. */
  path: string[];
  field: GraphQLField<unknown, unknown>;
  sorts: ({ field: string; direction: string } | null)[];
  sortType?: string;
  filterType?: GraphQLInputObjectType;
}

const isConnection = (field: GraphQLField<unknown, unknown>) => getNamedType(field.type).name.endsWith('Connection');
const hasRequiredArgs = (field: GraphQLField<unknown, unknown>) =>
  field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

/** Every object type reachable through single-object fields without required arguments, with its path. */
function pathsFrom(start: GraphQLObjectType): Map<string, string[]> {
  const paths = new Map<string, string[]>([[start.name, []]]);
  const queue: GraphQLObjectType[] = [start];
  while (queue.length) {
    const type = queue.shift()!;
    for (const field of Object.values(type.getFields())) {
      const unwrapped = isNonNullType(field.type) ? field.type.ofType : field.type;
      const named = getNamedType(field.type);
      if (isListType(unwrapped) || !isObjectType(named) || hasRequiredArgs(field) || isConnection(field)) continue;
      if (paths.has(named.name)) continue;
      paths.set(named.name, [...paths.get(type.name)!, field.name]);
      queue.push(named);
    }
  }
  return paths;
}

/** Every connection field of the schema: root ones from Query, the others from the nearest Node type. */
function connectionCases(schema: GraphQLSchema): ConnectionCase[] {
  const nodeTypes = schema.getPossibleTypes(schema.getType('Node') as never) as GraphQLObjectType[];
  const reach = new Map<string, { start: string; path: string[] }>();
  for (const node of nodeTypes) {
    for (const [type, path] of pathsFrom(node)) {
      const known = reach.get(type);
      if (!known || known.path.length > path.length) reach.set(type, { start: node.name, path });
    }
  }
  const cases: ConnectionCase[] = [];
  const holders = [schema.getQueryType()!, ...Object.values(schema.getTypeMap()).filter(isObjectType)];
  for (const holder of new Set(holders)) {
    if (holder.name.startsWith('__')) continue;
    for (const field of Object.values(holder.getFields())) {
      if (!isConnection(field) || hasRequiredArgs(field)) continue;
      const root = holder === schema.getQueryType();
      const route = root ? { start: null, path: [] } : reach.get(holder.name);
      if (!route) throw new Error(`no way to reach ${holder.name}.${field.name} from node(id:)`);
      const sortArg = field.args.find((arg) => arg.name === 'sort');
      const sortInput = sortArg && (getNamedType(sortArg.type) as GraphQLInputObjectType);
      const sortFields = sortInput ? getNamedType(sortInput.getFields().field.type) : null;
      const sorts = isEnumType(sortFields)
        ? [
            null,
            ...sortFields
              .getValues()
              .flatMap((value) => ['ASC', 'DESC'].map((direction) => ({ field: value.name, direction }))),
          ]
        : [null];
      const filterArg = field.args.find((arg) => arg.name === 'filter');
      cases.push({
        name: `${holder.name}.${field.name}`,
        ...route,
        field,
        sorts,
        sortType: sortInput?.name,
        filterType: filterArg ? (getNamedType(filterArg.type) as GraphQLInputObjectType) : undefined,
      });
    }
  }
  return cases;
}

/** A filter value that narrows something: the first boolean or enum-list field of the filter input. */
function someFilter(type: GraphQLInputObjectType): Record<string, unknown> | null {
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (named.name === 'Boolean') return { [field.name]: true };
    if (isEnumType(named) && isListType(isNonNullType(field.type) ? field.type.ofType : field.type))
      return { [field.name]: [named.getValues()[0].name] };
  }
  return null;
}

function documentOf(c: ConnectionCase): AnyDocument {
  const vars = ['$first: Int', '$last: Int', '$after: String', '$before: String'];
  const args = ['first: $first', 'last: $last', 'after: $after', 'before: $before'];
  if (c.sortType) {
    vars.push(`$sort: ${c.sortType}`);
    args.push('sort: $sort');
  }
  if (c.filterType) {
    vars.push(`$filter: ${c.filterType.name}`);
    args.push('filter: $filter');
  }
  let selection = `c: ${c.field.name}(${args.join(', ')}) {
    totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`;
  for (const step of [...c.path].reverse()) selection = `${step} { ${selection} }`;
  if (c.start) {
    vars.push('$id: ID!');
    selection = `node(id: $id) { ... on ${c.start} { ${selection} } }`;
  }
  return parse(`query(${vars.join(', ')}) { ${selection} }`) as unknown as AnyDocument;
}

/** The connection object in an answer: under `node` and the path, or at the root. */
function connectionIn(c: ConnectionCase, data: Record<string, unknown> | null | undefined): ConnectionResult {
  let at: unknown = c.start ? data?.node : data;
  for (const step of c.path) at = (at as Record<string, unknown>)[step];
  return (at as { c: ConnectionResult }).c;
}

/** Every global id in an answer, grouped by its type: the parents the nested connections are tried on. */
function collectIds(value: unknown, into: Map<string, Set<string>>): void {
  if (typeof value === 'string') {
    const decoded = fromGlobalId(value);
    if (decoded) into.set(decoded.type, (into.get(decoded.type) ?? new Set()).add(value));
  } else if (Array.isArray(value)) value.forEach((item) => collectIds(item, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((item) => collectIds(item, into));
}

/**
 * The paging contract, proven over every connection the schema has (found from the schema, so a new
 * connection is covered without editing this file), every sort field and direction, on the demo data
 * with its timestamps and amounts coarsened so that many rows tie on the sort key.
 */
describe('paging contract: every connection × sort × direction', () => {
  let app: TestApp;
  let schema: GraphQLSchema;
  let cases: ConnectionCase[];
  const ids = new Map<string, Set<string>>();

  beforeAll(async () => {
    app = await createTestApp();
    schema = await gatewaySchema();
    cases = connectionCases(schema);
    await seedDemoDataIfEmpty(app.orm);
    // Ties everywhere: every timestamp to its day, amounts to whole hundreds of yuan, three shop names.
    // As the owner with triggers off, since the append-only tables refuse updates otherwise.
    const owner = new pg.Client({ connectionString: app.databaseUrl });
    await owner.connect();
    try {
      await owner.query(`set session_replication_role = replica`);
      const { rows } = await owner.query<{ table_name: string; column_name: string }>(
        `select table_name, column_name from information_schema.columns
         where table_schema = 'public' and data_type = 'timestamp with time zone' and is_nullable = 'NO'`,
      );
      for (const { table_name, column_name } of rows) {
        await owner.query(`update "${table_name}" set "${column_name}" = date_trunc('day', "${column_name}")`);
      }
      await owner.query(
        `update "order" set paid_amount = paid_amount - paid_amount % 10000 where paid_amount >= 10000`,
      );
      await owner.query(`update merchant set name = (array['甲店', '乙店', '丙店'])[1 + abs(hashtext(id::text)) % 3]`);
    } finally {
      await owner.end();
    }
    for (const c of cases.filter((c) => !c.start)) {
      const edge = getNamedType((getNamedType(c.field.type) as GraphQLObjectType).getFields().edges.type);
      const nodeType = getNamedType((edge as GraphQLObjectType).getFields().node.type) as GraphQLObjectType;
      const isNode = (f: GraphQLField<unknown, unknown>) => {
        const named = getNamedType(f.type);
        return isObjectType(named) && named.getInterfaces().some((i) => i.name === 'Node') && !hasRequiredArgs(f);
      };
      const idFields = Object.values(nodeType.getFields()).flatMap((f) =>
        getNamedType(f.type).name === 'ID' ? [f.name] : isNode(f) ? [`${f.name} { id }`] : [],
      );
      const result = await app.data(
        parse(`{ ${c.field.name}(first: 100) { edges { node { ${idFields.join(' ')} } } } }`) as unknown as AnyDocument,
      );
      collectIds(result, ids);
    }
  });

  afterAll(() => app?.close());

  async function read(
    c: ConnectionCase,
    variables: Record<string, unknown>,
  ): Promise<GraphQLResult<Record<string, unknown>>> {
    return app.execute(documentOf(c), variables);
  }

  async function page(c: ConnectionCase, variables: Record<string, unknown>): Promise<ConnectionResult> {
    const result = await read(c, variables);
    if (result.errors?.length) throw new Error(`${c.name}: ${JSON.stringify(result.errors)}`);
    return connectionIn(c, result.data);
  }

  /** The parent with the most rows in this connection, among those the root connections showed. */
  async function busiestParent(c: ConnectionCase): Promise<{ id?: string; total: number }> {
    if (!c.start) return { total: (await page(c, { first: 0 })).totalCount };
    let best = { id: undefined as string | undefined, total: -1 };
    for (const id of [...(ids.get(c.start) ?? [])].slice(0, 40)) {
      const { totalCount } = await page(c, { id, first: 0 });
      if (totalCount > best.total) best = { id, total: totalCount };
    }
    return best;
  }

  it('finds every connection of the schema and a parent with enough rows to page through', async () => {
    const names = cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['Query.orders', 'Merchant.orders', 'Merchant.auditLog']));
    for (const c of cases) {
      const { id, total } = await busiestParent(c);
      expect.soft(total, `${c.name} has rows to page through`).toBeGreaterThanOrEqual(3);
      // Asked for its count alone (no page of rows is then read), a connection counts the same.
      let query = `c: ${c.field.name} { totalCount }`;
      for (const step of [...c.path].reverse()) query = `${step} { ${query} }`;
      if (c.start) query = `node(id: "${id}") { ... on ${c.start} { ${query} } }`;
      const alone = await app.data(parse(`{ ${query} }`) as unknown as AnyDocument);
      expect(connectionIn(c, alone).totalCount, `${c.name} totalCount alone`).toBe(total);
    }
  });

  it('pages forward and backward through everything: no row missing or repeated, pageInfo right at both ends', async () => {
    for (const c of cases) {
      const { id, total } = await busiestParent(c);
      for (const sort of c.sorts) {
        const label = `${c.name} ${sort ? `${sort.field} ${sort.direction}` : 'default sort'}`;
        const base = { id, sort };
        // One read of everything, in pages of the largest size.
        const all: string[] = [];
        let after: string | null = null;
        for (;;) {
          const got = await page(c, { ...base, first: 100, after });
          all.push(...got.edges.map((e) => e.cursor));
          if (!got.pageInfo.hasNextPage) break;
          after = got.pageInfo.endCursor;
        }
        expect(all, label).toHaveLength(total);
        expect(new Set(all).size, `${label}: no repeats`).toBe(total);

        const k = Math.min(100, Math.max(2, Math.ceil(total / 7)));
        const forward: string[] = [];
        after = null;
        for (let n = 0; ; n++) {
          const got = await page(c, { ...base, first: k, after });
          expect(got.pageInfo.hasPreviousPage, `${label} forward page ${n}: hasPreviousPage`).toBe(n > 0);
          forward.push(...got.edges.map((e) => e.cursor));
          expect(got.pageInfo.hasNextPage, `${label} forward page ${n}: hasNextPage`).toBe(forward.length < total);
          if (got.edges.length) {
            expect(got.pageInfo.startCursor).toBe(got.edges[0].cursor);
            expect(got.pageInfo.endCursor).toBe(got.edges.at(-1)!.cursor);
          }
          if (!got.pageInfo.hasNextPage) break;
          expect(got.edges, label).toHaveLength(k);
          after = got.pageInfo.endCursor;
        }
        expect(forward, `${label}: forward pages`).toEqual(all);

        const backward: string[] = [];
        let before: string | null = null;
        for (let n = 0; ; n++) {
          const got = await page(c, { ...base, last: k, before });
          expect(got.pageInfo.hasNextPage, `${label} backward page ${n}: hasNextPage`).toBe(n > 0);
          backward.unshift(...got.edges.map((e) => e.cursor));
          expect(got.pageInfo.hasPreviousPage, `${label} backward page ${n}: hasPreviousPage`).toBe(
            backward.length < total,
          );
          if (!got.pageInfo.hasPreviousPage) break;
          expect(got.edges, label).toHaveLength(k);
          before = got.pageInfo.startCursor;
        }
        expect(backward, `${label}: backward pages`).toEqual(all);

        // Both bounds at once: the rows strictly between two cursors.
        if (total >= 4) {
          const between = await page(c, { ...base, first: 100, after: all[0], before: all.at(-1) });
          expect(
            between.edges.map((e) => e.cursor),
            `${label}: between`,
          ).toEqual(all.slice(1, -1).slice(0, 100));
        }
      }
    }
  });

  /** The fields of an object type that need no arguments, each with the selection it takes. */
  function leafSelections(type: GraphQLObjectType): [string, string][] {
    return Object.values(type.getFields()).flatMap((f): [string, string][] => {
      if (hasRequiredArgs(f)) return [];
      const named = getNamedType(f.type);
      if (!isObjectType(named)) return [[f.name, f.name]];
      if (named.name === 'Money') return [[f.name, `${f.name} { fen }`]];
      // A list of objects is compared item field by item field (below), a single object by its id.
      const unwrapped = isNonNullType(f.type) ? f.type.ofType : f.type;
      if (named.getFields().id && !isConnection(f) && !isListType(unwrapped)) return [[f.name, `${f.name} { id }`]];
      return [];
    });
  }

  /**
   * What to compare for a connection: its node's fields, and the fields of each list of objects under
   * the node (an order's lines), each as [name to compare, selection alone, selection among all].
   */
  function nodeSelections(c: ConnectionCase): [string, string][] {
    const edge = getNamedType((getNamedType(c.field.type) as GraphQLObjectType).getFields().edges.type);
    const nodeType = getNamedType((edge as GraphQLObjectType).getFields().node.type) as GraphQLObjectType;
    const nested = Object.values(nodeType.getFields()).flatMap((f): [string, string][] => {
      const unwrapped = isNonNullType(f.type) ? f.type.ofType : f.type;
      const item = getNamedType(f.type);
      if (hasRequiredArgs(f) || !isListType(unwrapped) || !isObjectType(item)) return [];
      return leafSelections(item).map(([name, selection]) => [`${f.name}.${name}`, `${f.name} { ${selection} }`]);
    });
    return [...leafSelections(nodeType), ...nested];
  }

  it('reads the columns a selection needs: each node field asked alone answers as among all the others', async () => {
    for (const c of cases) {
      const { id } = await busiestParent(c);
      const fields = nodeSelections(c);
      const nodesOf = async (selection: string) => {
        let query = `c: ${c.field.name}(first: 25) { edges { node { ${selection} } } }`;
        for (const step of [...c.path].reverse()) query = `${step} { ${query} }`;
        if (c.start) query = `node(id: "${id}") { ... on ${c.start} { ${query} } }`;
        const result = await app.execute(parse(`{ ${query} }`) as unknown as AnyDocument);
        expect(result.errors, `${c.name} { ${selection} }`).toBeUndefined();
        return (connectionIn(c, result.data) as unknown as { edges: { node: Record<string, unknown> }[] }).edges.map(
          (e) => e.node,
        );
      };
      const all = await nodesOf(fields.map(([, selection]) => selection).join(' '));
      // A nested field is compared by its list's items: `lines.amount` → each node's lines' amounts.
      const valueOf = (node: Record<string, unknown>, name: string) => {
        const [list, field] = name.split('.');
        return field ? (node[list] as Record<string, unknown>[]).map((item) => item[field]) : node[name];
      };
      for (const [name, selection] of fields) {
        const alone = await nodesOf(selection);
        expect(
          alone.map((node) => valueOf(node, name)),
          `${c.name}: ${name} alone`,
        ).toEqual(all.map((node) => valueOf(node, name)));
      }
    }
  });

  it('reads totalCount asked beside a page in the page’s own message, once however often it is asked, and no page when asked alone', async () => {
    for (const c of cases) {
      const { id, total } = await busiestParent(c);
      const documentAsking = (selection: string) => {
        let query = `c: ${c.field.name}(first: 2) { ${selection} }`;
        for (const step of [...c.path].reverse()) query = `${step} { ${query} }`;
        if (c.start) query = `node(id: "${id}") { ... on ${c.start} { ${query} } }`;
        return parse(`{ ${query} }`) as unknown as AnyDocument;
      };
      const pageAlone = documentAsking('edges { cursor }');
      const withCount = documentAsking('totalCount edges { cursor } again: totalCount');
      const countAlone = documentAsking('totalCount');
      await app.roundTripsOf(withCount); // whatever a first request reads once per process
      const without = await app.roundTripsOf(pageAlone);
      const withIt = await app.roundTripsOf(withCount);
      expect(withIt.messages, `${c.name}: messages`).toBe(without.messages);
      expect(withIt.statements.length, `${c.name}: one COUNT more`).toBe(without.statements.length + 1);
      // Asked for its count alone, it reads no page of rows: the COUNT instead of the page.
      const alone = await app.roundTripsOf(countAlone);
      expect(alone.statements.length, `${c.name}: count alone`).toBe(without.statements.length);
      expect(alone.statements.filter((sql) => /count\(\*\)/.test(sql)).length).toBe(
        without.statements.filter((sql) => /count\(\*\)/.test(sql)).length + 1,
      );
      expect(connectionIn(c, (await app.data(countAlone)) as Record<string, unknown>).totalCount).toBe(total);
      const answer = connectionIn(c, (await app.data(withCount)) as Record<string, unknown>) as ConnectionResult & {
        again: number;
      };
      expect([answer.totalCount, answer.again], c.name).toEqual([total, total]);
    }
  });

  it('refuses a cursor made under another sort order or filter, naming the argument', async () => {
    for (const c of cases) {
      const { id } = await busiestParent(c);
      const cursorOf = async (variables: Record<string, unknown>) =>
        (await page(c, { id, first: 1, ...variables })).pageInfo.endCursor;
      const refusedAs = async (variables: Record<string, unknown>, field: 'after' | 'before') => {
        const result = await read(c, { id, first: 1, ...variables });
        expect(result.errors?.[0]?.extensions, `${c.name} ${JSON.stringify(variables)}`).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: [field],
        });
      };
      const sorted = c.sorts.filter((s) => s !== null);
      if (sorted.length >= 2) {
        const cursor = await cursorOf({ sort: sorted[0] });
        await refusedAs({ sort: sorted[1], after: cursor }, 'after');
      }
      const filter = c.filterType && someFilter(c.filterType);
      if (filter) {
        const cursor = await cursorOf({});
        if (cursor) await refusedAs({ filter, after: cursor }, 'after');
      }
      const cursor = await cursorOf({});
      if (cursor) {
        await refusedAs({ before: Buffer.from(`[${cursor}]`).toString('base64url') }, 'before');
      }
      const both = await read(c, { id, first: 1, last: 1 });
      expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['last'] });
    }
  });
});
