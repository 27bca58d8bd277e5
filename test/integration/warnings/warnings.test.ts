import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerTransaction } from '../../../src/modules/ledger/ledger.entity';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import {
  AcknowledgeWarningDocument,
  AllocateFundDocument,
  AuditLogDocument,
  IngestOrdersDocument,
  MerchantWarningsDocument,
  UpsertBuyerDocument,
  UpsertProductDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';
import { Role } from '../../../src/security/roles';

const { belowMedianBp } = POLICY.lowPriceWarning;
const local = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1];

describe('warnings', () => {
  let app: TestApp;
  let merchant: Merchant;
  let sku = 0;
  const asMerchant = () => app.as(actors.merchant(merchant));
  const warnings = async (kind: 'LOW_PRICE' | 'ABNORMAL_ORDER') =>
    (
      await asMerchant().data(MerchantWarningsDocument, { id: gid.merchant(merchant), filter: { kind: [kind] } })
    ).merchant!.warnings.edges.map((e) => e.node);
  const upsert = (externalId: string, price: string) =>
    asMerchant().data(UpsertProductDocument, {
      input: { merchantId: gid.merchant(merchant), externalId, title: '空气炸锅', category: '家电', price },
    });

  beforeAll(async () => {
    app = await createTestApp();
    merchant = await factories(app.orm).merchant();
    await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '10000', reason: 'budget', idempotencyKey: 'warnings-budget' },
    });
  });
  afterAll(() => app?.close());

  it(`a new price below ${belowMedianBp / 100}% of the product's 90-day median is held until the merchant confirms it; above it applies`, async () => {
    const below = `SKU-${++sku}`;
    const above = `SKU-${++sku}`;
    await upsert(below, '100.00');
    await upsert(above, '100.00');
    // 49% and 51% of a 100-yuan median.
    const held = await upsert(below, '49.00');
    expect(held.upsertProduct).toMatchObject({ priceHeld: true, product: { currentPrice: { amount: '100.00' } } });
    const applied = await upsert(above, '51.00');
    expect(applied.upsertProduct).toMatchObject({ priceHeld: false, product: { currentPrice: { amount: '51.00' } } });

    const [warning, ...others] = await warnings('LOW_PRICE');
    expect(others).toEqual([]);
    expect(warning).toMatchObject({
      status: 'OPEN',
      heldPrice: { amount: '49.00' },
      medianPrice: { amount: '100.00' },
      policyVersion: 1,
      message:
        "the new price 49.00 yuan is below 50% of the product's median 100.00 yuan: it is held until you confirm it",
      product: { currentPrice: { amount: '100.00' } },
    });

    const confirmed = await asMerchant().data(AcknowledgeWarningDocument, {
      input: { warningId: warning.id, confirmPrice: true },
    });
    expect(confirmed.acknowledgeWarning).toMatchObject({ warning: { status: 'ACKNOWLEDGED' }, userErrors: [] });
    const [after] = await warnings('LOW_PRICE');
    expect(after.product?.currentPrice.amount).toBe('49.00');
    const twice = await asMerchant().data(AcknowledgeWarningDocument, { input: { warningId: warning.id } });
    expect(twice.acknowledgeWarning.userErrors[0]).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('an unshipped order from a MALICIOUS buyer is flagged before shipping, and its promotion fee comes back', async () => {
    const make = factories(app.orm);
    const product = await make.product(merchant);
    const malicious = await make.buyer({ malicious: true });
    const honest = await make.buyer();
    const { ingestOrders } = await app.as(actors.role(Role.INGEST)).data(IngestOrdersDocument, {
      input: [
        orderInput({ merchant, buyer: malicious, product }, { promoted: true, promotionFee: '5.00' }),
        orderInput({ merchant, buyer: honest, product }),
        orderInput(
          { merchant, buyer: malicious, product },
          { status: 'SHIPPED', shippedAt: new Date(Date.now() - 60_000).toISOString() },
        ),
      ],
    });
    const [flaggedId] = ingestOrders.results.map((r) => r.order!.id);
    const abnormal = await warnings('ABNORMAL_ORDER');
    expect(abnormal.map((w) => [w.order?.id, w.message])).toEqual([
      [flaggedId, 'check before shipping: the buyer is tagged MALICIOUS; the buyer’s risk level is HIGH'],
    ]);
    const rebates = await app.orm.em
      .fork()
      .find(LedgerTransaction, { order: local(flaggedId), kind: 'PROMOTION_FEE_REBATE' as never });
    expect(rebates.map((t) => t.amount)).toEqual([500]);
  });

  it('a buyer tagged MALICIOUS after ordering has its unshipped orders flagged then, once each', async () => {
    const make = factories(app.orm);
    const product = await make.product(merchant);
    const buyer = await make.buyer();
    const { ingestOrders } = await app.as(actors.role(Role.INGEST)).data(IngestOrdersDocument, {
      input: [
        orderInput({ merchant, buyer, product }),
        orderInput(
          { merchant, buyer, product },
          { status: 'SHIPPED', shippedAt: new Date(Date.now() - 60_000).toISOString() },
        ),
      ],
    });
    const [unshipped] = ingestOrders.results.map((r) => r.order!.id);
    const flagged = async () =>
      (await warnings('ABNORMAL_ORDER')).filter((w) => w.order && [unshipped].includes(w.order.id));
    expect(await flagged()).toEqual([]);
    const tag = () =>
      app.as(actors.role(Role.INGEST)).data(UpsertBuyerDocument, {
        input: { externalId: buyer.externalId, nickname: buyer.nickname, flags: ['MALICIOUS'] },
      });
    await tag();
    expect((await flagged()).map((w) => w.message)).toEqual([expect.stringContaining('tagged MALICIOUS')]);
    await tag(); // tagged again: no second warning
    expect(await flagged()).toHaveLength(1);
  });

  it('the audit line of a warning (and so its live event, the same line) points at the warning a console acknowledges', async () => {
    const { merchant: log } = await asMerchant().data(AuditLogDocument, { id: gid.merchant(merchant), first: 100 });
    const lines = log!.auditLog.edges.map((e) => e.node).filter((line) => line.kind === 'WARNING_RAISED');
    const raised = [...(await warnings('LOW_PRICE')), ...(await warnings('ABNORMAL_ORDER'))];
    expect(lines).toHaveLength(raised.length);
    for (const line of lines) {
      expect(line).toMatchObject({ subjectKind: 'WARNING', subjectType: 'WARNING', action: 'WARNING_RAISED' });
      expect(raised.map((w) => local(w.id))).toContain(line.subjectId);
    }
  });
});
