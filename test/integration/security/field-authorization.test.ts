import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getNamedType, type GraphQLObjectType, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import {
  AllocateFundDocument,
  IngestOrdersDocument,
  PostSubsidyDocument,
  RecordScoreEventsDocument,
  SetMerchantStatusDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { selectAll } from '../../helpers/select-all';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { gatewaySchema } from '../../../src/modules';

const doc = (source: string) => parse(source) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;

/**
 * Roles hold below the root field: the INGEST service account may call its mutations but not read,
 * through their payloads, what only readers may read (ledger, histories, scores, connections, risk).
 */
describe('field-level authorization through mutation payloads', () => {
  let app: TestApp;
  let shop: Merchant;
  const secrets = ['A-ledger-secret', 'A-warning-secret', 'A-score-secret', 'A-ORDER-OLD'];
  const ingest = () => app.as(actors.role(Role.INGEST));

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    shop = await make.merchant({ externalId: 'SHOP-A' });
    const refs = {
      merchant: shop,
      buyer: await make.buyer({ externalId: 'BUYER-A' }),
      product: await make.product(shop),
    };
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [
        orderInput(refs, { externalNumber: 'A-ORDER-OLD', status: 'SHIPPED', shippedAt: new Date().toISOString() }),
      ],
    });
    const orderId = ingestOrders.results[0].order!.id;
    await app.data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '1000', reason: 'budget', idempotencyKey: 'budget' },
    });
    await app.data(PostSubsidyDocument, {
      input: {
        kind: 'TRANSIT_LOSS_COMPENSATION',
        orderId,
        amount: '5.00',
        idempotencyKey: 'k',
        reason: 'A-ledger-secret',
      },
    });
    await app.data(SetMerchantStatusDocument, {
      input: { merchantId: gid.merchant(shop), status: 'WARNED', reason: 'A-warning-secret' },
    });
    await ingest().data(RecordScoreEventsDocument, {
      input: [
        {
          factor: 'COMPLAINT',
          merchantId: gid.merchant(shop),
          occurredAt: new Date().toISOString(),
          reason: 'A-score-secret',
        },
      ],
    });
  });
  afterAll(() => app?.close());

  /** Runs `mutation` as INGEST with every field of its payload selected, 5 levels deep. */
  async function probe(field: string, args: string) {
    const schema = await gatewaySchema();
    const payload = getNamedType(schema.getMutationType()!.getFields()[field].type) as GraphQLObjectType;
    const selection = selectAll(schema, payload, 5);
    return ingest().execute(doc(`mutation { ${field}(${args}) { ${selection} } }`));
  }

  const expectOnlyForbidden = (result: Awaited<ReturnType<typeof probe>>) => {
    const text = JSON.stringify(result.data);
    for (const secret of secrets) expect(text, `leaked ${secret}`).not.toContain(secret);
    expect(result.errors?.length).toBeGreaterThan(0);
    expect(
      result.errors!.every((e) => e.extensions?.code === 'FORBIDDEN'),
      JSON.stringify(result.errors?.[0]),
    ).toBe(true);
  };

  it('upsertMerchant answers the merchant it wrote, but not its ledger, history, scores or orders', async () => {
    const result = await probe(
      'upsertMerchant',
      `input: { externalId: "SHOP-A", name: "${shop.name}", tier: STANDARD, mainCategory: "家居", region: ZHEJIANG, deposit: "1000.00" }`,
    );
    expectOnlyForbidden(result);
    const upsert = `upsertMerchant(input: { externalId: "SHOP-A", name: "${shop.name}", tier: STANDARD, mainCategory: "家居", region: ZHEJIANG, deposit: "1000.00" })`;
    const plain = await ingest().data(
      doc(`mutation { ${upsert} { merchant { id externalId tier deposit { amount } } } }`),
    );
    expect(plain).toEqual({
      upsertMerchant: {
        merchant: { id: gid.merchant(shop), externalId: 'SHOP-A', tier: 'STANDARD', deposit: { amount: '1000.00' } },
      },
    });
    for (const field of [
      'ledger { cash { amount } }',
      'statusHistory { reason }',
      'trust { band }',
      'orders { totalCount }',
      'subsidies { totalCount }',
      'products { totalCount }',
    ]) {
      const denied = await ingest().execute(doc(`mutation { ${upsert} { merchant { id ${field} } } }`));
      expect(denied.errors?.[0].extensions?.code, field).toBe('FORBIDDEN');
    }
  });

  it('upsertBuyer does not reach the buyer’s orders or risk', async () => {
    const upsert = 'upsertBuyer(input: { externalId: "BUYER-A", nickname: "买家A", flags: [] })';
    expectOnlyForbidden(await probe('upsertBuyer', 'input: { externalId: "BUYER-A", nickname: "买家A", flags: [] }'));
    for (const field of ['orders { totalCount }', 'risk { level reasons }']) {
      const denied = await ingest().execute(doc(`mutation { ${upsert} { buyer { id ${field} } } }`));
      expect(denied.errors?.[0].extensions?.code, field).toBe('FORBIDDEN');
    }
  });

  it('ingestOrders, transitionOrder and recordScoreEvents answer with plain values only', async () => {
    const make = factories(app.orm);
    const input = orderInput({ merchant: shop, buyer: await make.buyer(), product: await make.product(shop) });
    const lines = input.lines.map(
      (l) => `{ productId: "${l.productId}", quantity: ${l.quantity}, unitPrice: "${l.unitPrice}" }`,
    );
    const ingested = await probe(
      'ingestOrders',
      `input: [{ platform: PINDUODUO, externalNumber: "${input.externalNumber}", merchantId: "${input.merchantId}", buyerId: "${input.buyerId}", lines: [${lines}], paidAmount: "${input.paidAmount}", shippingFee: "0", destinationRegion: JIANGSU, paidAt: "${input.paidAt}" }]`,
    );
    expectOnlyForbidden(ingested);
    const { ingestOrders } = await ingest().data(IngestOrdersDocument, { input: [input] });
    expect(ingestOrders.results[0].outcome).toBe('DUPLICATE');
    const orderId = ingestOrders.results[0].order!.id;
    expectOnlyForbidden(
      await probe('transitionOrder', `input: { orderId: "${orderId}", to: SHIPPED, reason: "发货" }`),
    );
    expectOnlyForbidden(
      await probe(
        'recordScoreEvents',
        `input: [{ factor: REPLY_RATE_MET, merchantId: "${gid.merchant(shop)}", occurredAt: "${new Date().toISOString()}" }]`,
      ),
    );
  });

  it('readers still read everything they may: staff see the ledger and history through the same payload', async () => {
    const result = await app.as(actors.role(Role.RISK)).execute(
      doc(`mutation { setMerchantStatus(input: { merchantId: "${gid.merchant(shop)}", status: ACTIVE, reason: "整改完成" }) {
        merchant { statusHistory { reason } ledger { cash { amount } } } userErrors { code } } }`),
    );
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data)).toContain('A-warning-secret');
  });
});
