import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  type DocumentNode,
  getNamedType,
  type GraphQLSchema,
  Kind,
  type ObjectValueNode,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoDataIfEmpty } from '../../src/cli/seed-demo-data';
import { type NodeTypeName, toGlobalId } from '../../src/graphql/global-id';
import { ledgerInvariantViolations } from '../../src/modules/ledger/ledger.query';
import { ANY_ACTOR } from '../../src/security/authorization';
import { Role } from '../../src/security/roles';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';
import { gatewaySchema } from '../../src/modules';

type AnyDocument = TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;

/** The README's GraphQL examples, one operation each: a new one starts at a line that opens an operation. */
function readmeOperations(): string[] {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);
  return blocks.flatMap((block) =>
    block
      .split(/\n(?=\{|query\b|mutation\b|subscription\b)/)
      .map((operation) => operation.trim())
      .filter(Boolean),
  );
}

/** Which type an id argument or input field names: `merchantId` a Merchant, `merchant(id:)` one too. */
const TYPE_OF_NAME: Record<string, NodeTypeName> = {
  merchant: 'Merchant',
  order: 'Order',
  buyer: 'Buyer',
  product: 'Product',
  case: 'AfterSalesCase',
  afterSalesCase: 'AfterSalesCase',
  appeal: 'Appeal',
  warning: 'Warning',
  transaction: 'LedgerTransaction',
  event: 'ScoreEvent',
  node: 'Merchant',
};
const TYPE_OF_SUBJECT: Record<string, NodeTypeName> = {
  ORDER: 'Order',
  AFTER_SALES_CASE: 'AfterSalesCase',
  SCORE_EVENT: 'ScoreEvent',
};

/** The example with every "…" that stands for an id replaced by the id of a demo row of that type. */
function withIds(schema: GraphQLSchema, document: DocumentNode, ids: Record<string, string>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      StringValue(node, _key, parent, _path, ancestors) {
        if (node.value !== '…' || getNamedType(typeInfo.getInputType())?.name !== 'ID') return undefined;
        const owner = parent as { kind: string; name?: { value: string } };
        const name = owner.name?.value ?? '';
        let type: NodeTypeName | undefined;
        if (name === 'subjectId') {
          const object = [...ancestors]
            .reverse()
            .find((a) => !Array.isArray(a) && (a as { kind: string }).kind === Kind.OBJECT) as ObjectValueNode;
          const subject = object.fields.find((field) => field.name.value === 'subjectType')?.value;
          type = subject?.kind === Kind.ENUM ? TYPE_OF_SUBJECT[subject.value] : undefined;
        } else if (name === 'id') {
          type = TYPE_OF_NAME[typeInfo.getFieldDef()?.name ?? ''];
        } else {
          type = TYPE_OF_NAME[name.replace(/Id$/, '')];
        }
        if (!type) throw new Error(`no demo id for ${name} = "…"`);
        return { ...node, value: ids[type] };
      },
    }),
  );
}

/**
 * The demo database is what the product's rules produce, and every example in the README runs as
 * written against it (with demo ids where it says "…"), as the role its rule allows.
 */
describe('the demo data and the README examples', () => {
  let app: TestApp;
  let schema: GraphQLSchema;
  const ids: Record<string, string> = {};
  let merchantId: string;

  const first = async (sql: string, params: unknown[] = []) =>
    (await app.orm.em.fork().getConnection().execute<{ id: string }[]>(sql, params))[0]?.id;

  beforeAll(async () => {
    app = await createTestApp();
    schema = await gatewaySchema();
    await seedDemoDataIfEmpty(app.orm);
    // The shop whose price cuts raised warnings; every example speaks of it where it can.
    merchantId = (await first(`select id from merchant where external_id = 'SHOP10002'`))!;
    const own = async (table: string, extra = '') =>
      (await first(`select id from "${table}" where merchant_id = ? ${extra} order by id limit 1`, [merchantId])) ??
      (await first(`select id from "${table}" order by id limit 1`));
    Object.assign(ids, {
      Merchant: toGlobalId('Merchant', merchantId),
      Order: toGlobalId('Order', (await own('order'))!),
      Product: toGlobalId('Product', (await own('product'))!),
      Buyer: toGlobalId(
        'Buyer',
        (await first(`select buyer_id as id from "order" where merchant_id = ?`, [merchantId]))!,
      ),
      AfterSalesCase: toGlobalId('AfterSalesCase', (await own('after_sales_case'))!),
      Appeal: toGlobalId('Appeal', (await own('appeal'))!),
      Warning: toGlobalId('Warning', (await own('warning', `and status = 'OPEN'`))!),
      ScoreEvent: toGlobalId('ScoreEvent', (await own('score_event'))!),
      LedgerTransaction: toGlobalId('LedgerTransaction', (await own('ledger_transaction'))!),
    });
  });
  afterAll(() => app?.close());

  it('every GraphQL example of the README runs without an error', async () => {
    const operations = readmeOperations();
    expect(operations.length).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for (const text of operations) {
      const parsed = parse(text);
      if (parsed.definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION)) continue; // an SDL snippet
      const document = withIds(schema, parsed, ids);
      const invalid = validate(schema, document);
      if (invalid.length) {
        failures.push(`${text.slice(0, 80)}: ${invalid.map((e) => e.message).join('; ')}`);
        continue;
      }
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)!;
      if (operation.kind !== Kind.OPERATION_DEFINITION || operation.operation === 'subscription') continue;
      const root = operation.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
      const field = operation.selectionSet.selections[0];
      const allow = (root.getFields()[field.kind === Kind.FIELD ? field.name.value : '']?.extensions?.allow ??
        []) as string[];
      const role = allow.includes(ANY_ACTOR) || allow.includes(Role.ADMIN) ? Role.ADMIN : (allow[0] as Role);
      const actor = role === Role.MERCHANT ? actors.merchant({ id: merchantId }) : actors.role(role);
      const result = await app.as(actor).execute(document as AnyDocument);
      if (result.errors?.length) failures.push(`${text.slice(0, 80)} as ${role}: ${JSON.stringify(result.errors)}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps the ledger invariants: balanced, balances equal their entries, funds never below zero, keys once', async () => {
    expect(await ledgerInvariantViolations(app.orm.em.getKnex())).toEqual([]);
  });

  it('warns of every unshipped order of a MALICIOUS buyer, and charges every completed order its fee', async () => {
    const connection = app.orm.em.fork().getConnection();
    const unwarned = await connection.execute(
      `select o.id from "order" o join buyer b on b.id = o.buyer_id
        where b.malicious and o.status = 'PAID'
          and not exists (select 1 from warning w where w.order_id = o.id and w.kind = 'ABNORMAL_ORDER')`,
    );
    expect(unwarned).toEqual([]);
    const [counts] = await connection.execute<
      { malicious_paid: number; completed: number; fees: number; hosted: number }[]
    >(
      `select (select count(*)::int from "order" o join buyer b on b.id = o.buyer_id where b.malicious and o.status = 'PAID') as malicious_paid,
              (select count(*)::int from "order" where status = 'COMPLETED' and not hosted) as completed,
              (select count(distinct order_id)::int from ledger_transaction where kind = 'TECH_SERVICE_FEE') as fees,
              (select count(*)::int from "order" where hosted) as hosted`,
    );
    expect(counts.malicious_paid).toBeGreaterThan(0);
    expect(counts.fees).toBe(counts.completed);
    const lowPrice = await connection.execute(`select 1 from warning where kind = 'LOW_PRICE'`);
    expect(lowPrice.length).toBeGreaterThan(0);
  });

  it('has a high-repurchase merchant and a merchant in every score band', async () => {
    const { merchants } = (await app.data(
      parse(`{ merchants(first: 100) { edges { node { trust { band highRepurchase } } } } }`) as AnyDocument,
    )) as { merchants: { edges: { node: { trust: { band: string; highRepurchase: boolean } } }[] } };
    const trust = merchants.edges.map((edge) => edge.node.trust);
    expect(trust.some((t) => t.highRepurchase)).toBe(true);
    const bands = new Set(trust.map((t) => t.band));
    expect([...bands].sort()).toEqual(['HIGH', 'LOW', 'MEDIUM', 'NEW', 'TOP']);
  });
});
