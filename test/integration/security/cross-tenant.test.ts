import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getNamedType, type GraphQLInterfaceType, type GraphQLObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Product } from '../../../src/modules/products/product.entity';
import { ANY_ACTOR } from '../../../src/security/authorization';
import { Role } from '../../../src/security/roles';
import {
  AddCaseMessageDocument,
  AllocateFundDocument,
  FileAppealDocument,
  MerchantWarningsDocument,
  IngestOrdersDocument,
  OpenAfterSalesCasesDocument,
  PostSubsidyDocument,
  RecordScoreEventsDocument,
  SetMerchantStatusDocument,
  UpsertProductDocument,
  VoidOrderForPriceErrorDocument,
  OrderDocument,
  AfterSalesCaseDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { selectAll, selectAllOf } from '../../helpers/select-all';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { gatewaySchema } from '../../../src/modules';

type AnyDocument = TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
const doc = (query: string) => parse(query) as unknown as AnyDocument;

/**
 * Merchant B, signed in, tries every way the schema offers to reach merchant A's data. Queries are
 * generated from the schema, so a field added later is covered without editing this file.
 */
describe('cross-tenant isolation', () => {
  let app: TestApp;
  const secretsOfA: string[] = [];
  const ids: Record<string, string> = {};
  let a: Merchant;
  let b: Merchant;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    a = await make.merchant({ name: 'A-商家-秘密' });
    b = await make.merchant({ name: 'B-商家' });
    const buyerOfA = await make.buyer({ nickname: 'A-only-buyer' });
    const sharedBuyer = await make.buyer({ nickname: 'shared-buyer' });
    const productOfA = await make.product(a, { title: 'A-product-secret' });
    const productOfB = await make.product(b);
    await app.data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100000', reason: 'budget', idempotencyKey: 'budget-1' },
    });
    const ingested = await app.data(IngestOrdersDocument, {
      input: [
        orderInput(
          { merchant: a, buyer: buyerOfA, product: productOfA },
          { externalNumber: 'A-ORDER-1', status: 'SHIPPED', shippedAt: new Date(Date.now() - 60_000).toISOString() },
        ),
        orderInput({ merchant: a, buyer: sharedBuyer, product: productOfA }, { externalNumber: 'A-ORDER-2' }),
        orderInput({ merchant: b, buyer: sharedBuyer, product: productOfB }, { externalNumber: 'B-ORDER-1' }),
      ],
    });
    const [orderA1, orderA2] = ingested.ingestOrders.results.map((r) => r.order!.id);
    Object.assign(ids, {
      merchantA: gid.merchant(a),
      merchantB: gid.merchant(b),
      productA: gid.product(productOfA),
      buyerOfA: gid.buyer(buyerOfA),
      orderA1,
      orderA2,
    });
    const posted = await app.data(PostSubsidyDocument, {
      input: {
        kind: 'TRANSIT_LOSS_COMPENSATION',
        orderId: orderA1,
        amount: '99.00',
        idempotencyKey: 'A-transit',
        reason: 'A-ledger-secret',
      },
    });
    ids.ledgerOfA = posted.postSubsidy.transaction!.id;
    const scored = await app.as(actors.role(Role.INGEST)).data(RecordScoreEventsDocument, {
      input: [
        {
          factor: 'COMPLAINT',
          merchantId: gid.merchant(a),
          orderId: orderA1,
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
          reason: 'A-score-secret',
        },
      ],
    });
    ids.scoreEventOfA = scored.recordScoreEvents.events![0].id;
    const opened = await app.as(actors.role(Role.INGEST)).data(OpenAfterSalesCasesDocument, {
      input: [
        {
          platform: 'PINDUODUO',
          externalNumber: 'A-CASE-1',
          orderId: orderA1,
          type: 'REFUND_ONLY',
          reason: 'QUALITY',
          requestedAmount: '10.00',
          evidence: [{ kind: 'DESCRIPTION', text: 'A-case-secret' }],
        },
      ],
    });
    ids.caseOfA = opened.openAfterSalesCases.results[0].afterSalesCase!.id;
    await app.data(AddCaseMessageDocument, { input: { caseId: ids.caseOfA, body: 'A-message-secret' } });
    // A price far below its history: held, and a low-price warning raised to A.
    await app.data(UpsertProductDocument, {
      input: {
        merchantId: gid.merchant(a),
        externalId: productOfA.externalId,
        title: 'A-product-secret',
        category: '服装',
        price: '1.00',
      },
    });
    const filed = await app.as(actors.merchant(a)).data(FileAppealDocument, {
      input: {
        merchantId: gid.merchant(a),
        kind: 'NEGATIVE_EXPERIENCE',
        subjectType: 'ORDER',
        subjectId: orderA2,
        statement: 'A-appeal-secret',
        evidence: [{ kind: 'DESCRIPTION', text: 'A-appeal-evidence' }],
      },
    });
    ids.appealOfA = filed.fileAppeal.appeal!.id;
    const warnings = await app.data(MerchantWarningsDocument, { id: gid.merchant(a) });
    ids.warningOfA = warnings.merchant!.warnings.edges[0].node.id;
    const warned = await app.data(SetMerchantStatusDocument, {
      input: { merchantId: gid.merchant(a), status: 'WARNED', reason: 'A-status-secret' },
    });
    ids.statusChangeOfA = warned.setMerchantStatus.merchant!.statusHistory.at(-1)!.id;
    secretsOfA.push(
      ids.statusChangeOfA,
      'A-status-secret',
      ids.appealOfA,
      'A-appeal-secret',
      'A-appeal-evidence',
      ids.warningOfA,
      ids.caseOfA,
      'A-CASE-1',
      'A-case-secret',
      'A-message-secret',
      ids.ledgerOfA,
      'A-ledger-secret',
      ids.scoreEventOfA,
      'A-score-secret',
      ids.merchantA,
      ids.productA,
      ids.buyerOfA,
      orderA1,
      orderA2,
      'A-商家-秘密',
      'A-product-secret',
      'A-only-buyer',
      'A-ORDER-1',
      'A-ORDER-2',
    );
  });
  afterAll(() => app?.close());

  const asB = () => app.as(actors.merchant(b));

  const expectNothingOfA = (result: unknown) => {
    const text = JSON.stringify(result);
    for (const secret of secretsOfA) expect(text, `leaked ${secret}`).not.toContain(secret);
  };

  it('every query root field is probed, with a full selection generated from the schema', async () => {
    const schema = await gatewaySchema();
    const merchant = selectAll(schema, schema.getType('Merchant') as never, 5);
    const order = selectAll(schema, schema.getType('Order') as never, 4);
    const product = selectAll(schema, schema.getType('Product') as never, 5);
    const buyer = selectAll(schema, schema.getType('Buyer') as never, 5);
    const nodeTypes: Record<string, string> = {
      merchantA: 'Merchant',
      orderA1: 'Order',
      productA: 'Product',
      buyerOfA: 'Buyer',
      ledgerOfA: 'LedgerTransaction',
      scoreEventOfA: 'ScoreEvent',
      caseOfA: 'AfterSalesCase',
      warningOfA: 'Warning',
      appealOfA: 'Appeal',
      statusChangeOfA: 'MerchantStatusChangeNode',
    };
    // Every kind of Node is probed: a new one fails here until it has a row of A's above.
    expect(Object.values(nodeTypes).sort()).toEqual(
      schema
        .getPossibleTypes(schema.getType('Node') as GraphQLInterfaceType)
        .map((t) => t.name)
        .sort(),
    );
    const afterSalesCase = selectAll(schema, schema.getType('AfterSalesCase') as never, 4);
    const probes: Record<string, string[]> = {
      merchant: [`{ merchant(id: "${ids.merchantA}") { ${merchant} } }`],
      merchants: [
        `{ merchants(first: 10) { totalCount edges { node { ${selectAll(schema, schema.getType('Merchant') as never, 4)} } } } }`,
      ],
      order: [`{ order(id: "${ids.orderA1}") { ${order} } }`],
      orders: [
        `{ orders(first: 10) { totalCount edges { node { ${order} } } } }`,
        `{ orders(first: 10, filter: { merchantId: "${ids.merchantA}" }) { totalCount edges { node { id } } } }`,
      ],
      product: [`{ product(id: "${ids.productA}") { ${product} } }`],
      buyer: [`{ buyer(id: "${ids.buyerOfA}") { ${buyer} } }`],
      afterSalesCase: [`{ afterSalesCase(id: "${ids.caseOfA}") { ${afterSalesCase} } }`],
      afterSalesCases: [
        `{ afterSalesCases(first: 10) { totalCount edges { node { ${selectAll(schema, schema.getType('AfterSalesCase') as never, 3)} } } } }`,
        `{ afterSalesCases(first: 10, filter: { merchantId: "${ids.merchantA}" }) { totalCount edges { node { id } } } }`,
      ],
      node: Object.entries(nodeTypes).map(
        ([key, type]) => `{ node(id: "${ids[key]}") { ${selectAllOf(schema, type, 4)} } }`,
      ),
      activePolicy: [
        `{ activePolicy { version numbers { ${selectAll(schema, schema.getType('PolicyNumbers') as never, 2)} } } }`,
      ],
      policy: ['{ policy(version: 1) { version note } }'],
      policies: ['{ policies { version publishedBy } }'],
      ledgerTransactions: [
        `{ ledgerTransactions(first: 10) { totalCount edges { node { ${selectAll(schema, schema.getType('LedgerTransaction') as never, 3)} } } } }`,
      ],
      funds: ['{ funds { code budget { amount } } }'],
      fund: ['{ fund(code: SPECIAL_SUBSIDY) { code remaining { amount } } }'],
      quoteSubsidy: [
        `{ quoteSubsidy(input: { kind: TRANSIT_LOSS_COMPENSATION, merchantId: "${ids.merchantA}", amount: "1.00" }) { quote { amount { amount } } } }`,
      ],
      simulateMerchantScore: [
        `{ simulateMerchantScore(merchantId: "${ids.merchantA}", events: [{ factor: SHIPPED_LATE }]) { simulation { current { experienceScoreExact } } userErrors { code } } }`,
      ],
      appeal: [`{ appeal(id: "${ids.appealOfA}") { ${selectAllOf(schema, 'Appeal', 3)} } }`],
      appealQueue: [`{ appealQueue(first: 10) { totalCount edges { node { id statement } } } }`],
      appealRequirements: ['{ appealRequirements(kind: ABNORMAL_ORDER) { required policyVersion } }'],
      simulatePolicy: [
        `{ simulatePolicy(changes: {}, from: "2026-01-01T00:00:00Z", to: "2099-01-01T00:00:00Z") { simulation { casesReplayed changed { afterSalesCase { id } } } userErrors { code } } }`,
      ],
      nodes: [`{ nodes(ids: ${JSON.stringify(Object.keys(nodeTypes).map((k) => ids[k]))}) { __typename id } }`],
    };
    expect(Object.keys(probes).sort()).toEqual(Object.keys(schema.getQueryType()!.getFields()).sort());

    for (const [field, queries] of Object.entries(probes)) {
      for (const query of queries) {
        const result = await asB().execute(doc(query));
        expectNothingOfA(result);
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        expect(
          codes.every((code) => code === 'FORBIDDEN'),
          `${field}: ${JSON.stringify(result.errors)}`,
        ).toBe(true);
      }
    }
  });

  it("B still sees its own data, including a shared buyer, but not the buyer's orders with A", async () => {
    const schema = await gatewaySchema();
    const everything = await asB().data(
      doc(
        `{ merchants(first: 10) { edges { node { ${selectAll(schema, schema.getType('Merchant') as never, 4)} } } } }`,
      ),
    );
    expect(JSON.stringify(everything)).toContain('B-ORDER-1');
    expectNothingOfA(everything);
    const throughSharedBuyer = await asB().data(
      doc(
        '{ orders(first: 10) { edges { node { buyer { nickname orders(first: 10) { totalCount edges { node { id externalNumber } } } } } } } }',
      ),
    );
    expect(JSON.stringify(throughSharedBuyer)).toContain('shared-buyer');
    expect(JSON.stringify(throughSharedBuyer)).toContain('B-ORDER-1');
    expectNothingOfA(throughSharedBuyer);
  });

  it('mutations a merchant may call cannot touch another merchant', async () => {
    const schema = await gatewaySchema();
    const merchantMutations = Object.values(schema.getMutationType()!.getFields())
      .filter((field) => {
        const allow = field.extensions.allow as string[];
        return allow.includes(Role.MERCHANT) || allow.includes(ANY_ACTOR);
      })
      .map((field) => field.name);
    expect(merchantMutations.sort()).toEqual([
      'acknowledgeWarning',
      'addCaseEvidence',
      'addCaseMessage',
      'answerAppeal',
      'decideRefundOnly',
      'fileAppeal',
      'reportForceMajeure',
      'requestIntervention',
      'upsertProduct',
      'voidOrderForPriceError',
      'withdrawAppeal',
    ]);

    const before = await app.orm.em.fork().count(Product, { merchant: a });
    const attempt = await asB().data(UpsertProductDocument, {
      input: { merchantId: ids.merchantA, externalId: 'INTRUDER', title: 'x', category: 'x', price: '1.00' },
    });
    expect(attempt.upsertProduct.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'merchantId'] }),
    ]);
    expect(await app.orm.em.fork().count(Product, { merchant: a })).toBe(before);

    const voided = await asB().data(VoidOrderForPriceErrorDocument, {
      input: { orderId: ids.orderA2, reason: '恶意作废' },
    });
    expect(voided.voidOrderForPriceError.userErrors).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'orderId'] }),
    ]);
    const orderA2 = await app.data(OrderDocument, { id: ids.orderA2 });
    expect(orderA2.order?.status).toBe('PAID');

    // The same attempts with every field of their payloads selected, 5 levels deep: nothing of A.
    const payload = (field: string) => {
      const type = getNamedType(schema.getMutationType()!.getFields()[field].type) as GraphQLObjectType;
      return selectAll(schema, type, 5);
    };
    for (const mutation of [
      `upsertProduct(input: { merchantId: "${ids.merchantA}", externalId: "INTRUDER", title: "x", category: "x", price: "1.00" })`,
      `voidOrderForPriceError(input: { orderId: "${ids.orderA2}", reason: "x" })`,
      `voidOrderForPriceError(input: { orderId: "${ids.orderA1}", reason: "x" })`,
      `addCaseEvidence(input: { caseId: "${ids.caseOfA}", kind: PHOTO, url: "https://x.example/intruder.jpg" })`,
      `addCaseMessage(input: { caseId: "${ids.caseOfA}", body: "intruder" })`,
      `requestIntervention(input: { caseId: "${ids.caseOfA}" })`,
      `decideRefundOnly(input: { caseId: "${ids.caseOfA}", ruling: REFUND_FULL, reason: "x" })`,
      `acknowledgeWarning(input: { warningId: "${ids.warningOfA}", confirmPrice: true })`,
      `fileAppeal(input: { merchantId: "${ids.merchantB}", kind: NEGATIVE_EXPERIENCE, subjectType: ORDER, subjectId: "${ids.orderA1}", statement: "x", evidence: [{ kind: DESCRIPTION, text: "x" }] })`,
      `answerAppeal(input: { appealId: "${ids.appealOfA}", evidence: [{ kind: PHOTO, url: "https://x.example/p.jpg" }] })`,
      `withdrawAppeal(input: { appealId: "${ids.appealOfA}", reason: "x" })`,
      `reportForceMajeure(input: { merchantId: "${ids.merchantA}", region: ZHEJIANG, startsAt: "2026-01-01T00:00:00Z", endsAt: "2099-01-01T00:00:00Z", reason: "x" })`,
    ]) {
      const field = mutation.slice(0, mutation.indexOf('('));
      const result = await asB().execute(doc(`mutation { ${mutation} { ${payload(field)} } }`));
      expectNothingOfA(result);
      if (field.includes('Case') || field === 'requestIntervention' || field === 'decideRefundOnly') {
        expect((result.data as any)[field].userErrors, field).toEqual([
          expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'caseId'] }),
        ]);
      }
      if (field.endsWith('Appeal') || field === 'reportForceMajeure') {
        expect((result.data as any)[field].userErrors[0], field).toMatchObject({ code: 'NOT_FOUND' });
      }
      if (field === 'acknowledgeWarning') {
        expect((result.data as any)[field].userErrors).toEqual([
          expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warningId'] }),
        ]);
      }
    }
    const caseOfA = await app.data(AfterSalesCaseDocument, { id: ids.caseOfA });
    expect(caseOfA.afterSalesCase).toMatchObject({ status: 'NEGOTIATING', decision: null });
    expect(caseOfA.afterSalesCase!.evidence).toHaveLength(1);
    expect(caseOfA.afterSalesCase!.messages.map((m) => m.body)).toEqual(['A-message-secret']);
    const warningsOfA = await app.data(MerchantWarningsDocument, { id: gid.merchant(a) });
    expect(warningsOfA.merchant!.warnings.edges[0].node).toMatchObject({
      status: 'OPEN',
      product: { currentPrice: { amount: '99.00' } },
    });
  });
});
