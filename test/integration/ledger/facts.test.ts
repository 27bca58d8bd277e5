import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import {
  AllocateFundDocument,
  BuyerRiskDocument,
  IngestOrdersDocument,
  LedgerTransactionsDocument,
  MerchantLedgerDocument,
  type PostSubsidyInput,
  PostSubsidyDocument,
  QuoteSubsidyDocument,
  RecordScoreEventsDocument,
  UpsertBuyerDocument,
  VoidOrderForPriceErrorDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { orderPlacer } from '../../helpers/orders';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** Issue #9: every payout is tied to the fact it pays for, and bounded, however it is asked for. */
describe('payouts and their facts', () => {
  let app: TestApp;
  let shop: Merchant;
  let loyal: Merchant;
  let strength: Merchant;
  let key = 0;
  const finance = () => app.as(actors.role(Role.FINANCE));
  const post = (input: Omit<PostSubsidyInput, 'idempotencyKey'>) =>
    finance().data(PostSubsidyDocument, { input: { idempotencyKey: `fact-${++key}`, reason: '测试', ...input } });
  const refusalOf = async (input: Omit<PostSubsidyInput, 'idempotencyKey'>) =>
    (await post(input)).postSubsidy.userErrors[0];
  const paidOn = async (orderId: string) => {
    const { ledgerTransactions } = await finance().data(LedgerTransactionsDocument, { filter: { orderId }, first: 50 });
    return ledgerTransactions.edges.map((e) => [e.node.kind, e.node.amount.amount]);
  };

  const orderOf = orderPlacer(() => app);

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    shop = await make.merchant();
    strength = await make.merchant({ tier: 'STRENGTH' as never });
    loyal = await make.merchant();
    const product = await make.product(loyal);
    const buyers = await Promise.all(Array.from({ length: 20 }, () => make.buyer()));
    // Paid days ago, so the shop is high-repurchase at the time of the facts below.
    await make.orders(
      buyers.map((buyer) => ({
        merchant: loyal,
        buyer,
        product,
        count: 2,
        values: { paidAt: new Date(Date.now() - 200 * HOUR) },
      })),
    );
    await finance().data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '10000000', reason: '预算', idempotencyKey: 'budget' },
    });
  });
  afterAll(() => app?.close());

  it('dispute compensation is 5% of a custom sub-order in total across claims: 1,000.00 pays 50.00 once', async () => {
    const orderId = await orderOf(shop, { custom: true, paidAmount: '1000.00' });
    const claims = [];
    for (let i = 0; i < 3; i++) claims.push(await post({ kind: 'DISPUTE_COMPENSATION', orderId }));
    expect(claims.map((c) => c.postSubsidy.transaction?.amount.amount ?? c.postSubsidy.userErrors[0].code)).toEqual([
      '50.00',
      'CAP_EXCEEDED',
      'CAP_EXCEEDED',
    ]);
    const partial = await orderOf(shop, { custom: true, paidAmount: '1000.00' });
    expect(
      (await post({ kind: 'DISPUTE_COMPENSATION', orderId: partial, amount: '20.00' })).postSubsidy.transaction?.amount
        .amount,
    ).toBe('20.00');
    expect(
      (await post({ kind: 'DISPUTE_COMPENSATION', orderId: partial })).postSubsidy.transaction?.amount.amount,
    ).toBe('30.00');
  });

  it('transit loss needs an order in transit and pays at most its goods value, across claims', async () => {
    expect(
      await refusalOf({ kind: 'TRANSIT_LOSS_COMPENSATION', merchantId: gid.merchant(shop), amount: '10.00' }),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'orderId'],
    });
    const completed = await orderOf(shop, {}, ['SHIPPED', 'DELIVERED', 'COMPLETED']);
    expect(await refusalOf({ kind: 'TRANSIT_LOSS_COMPENSATION', orderId: completed, amount: '10.00' })).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/never delivered/),
    });
    const tenYuan = await orderOf(shop, { paidAmount: '10.00' }, ['SHIPPED']);
    const { quoteSubsidy } = await finance().data(QuoteSubsidyDocument, {
      input: { kind: 'TRANSIT_LOSS_COMPENSATION', orderId: tenYuan, amount: '50000.00' },
    });
    expect(quoteSubsidy.quote).toMatchObject({ eligible: true, amount: { amount: '10.00' } });
    expect(
      (await post({ kind: 'TRANSIT_LOSS_COMPENSATION', orderId: tenYuan, amount: '50000.00' })).postSubsidy.transaction
        ?.amount.amount,
    ).toBe('10.00');
    expect(await refusalOf({ kind: 'TRANSIT_LOSS_COMPENSATION', orderId: tenYuan, amount: '1.00' })).toMatchObject({
      code: 'CAP_EXCEEDED',
    });
  });

  it('the late-shipment allowance of 300 a month counts the month of the late shipment; no other period, no future', async () => {
    const late = () => orderOf(loyal, {}, ['SHIPPED']);
    expect(
      (await post({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: await late(), amount: '300.00' })).postSubsidy.transaction
        ?.amount.amount,
    ).toBe('300.00');
    for (const period of ['2020-01', '2099-12']) {
      expect(
        await refusalOf({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: await late(), amount: '10.00', period }),
      ).toMatchObject({
        code: 'INVALID_INPUT',
        field: ['input', 'period'],
      });
    }
    const nextMonth = new Date(Date.now() + 32 * 24 * HOUR).toISOString();
    expect(
      await refusalOf({
        kind: 'LATE_SHIPMENT_SUBSIDY',
        orderId: await late(),
        amount: '10.00',
        effectiveAt: nextMonth,
      }),
    ).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'effectiveAt'],
    });
    expect(await refusalOf({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: await late(), amount: '10.00' })).toMatchObject({
      code: 'CAP_EXCEEDED',
    });
    // One subsidy per late order, and none for an order shipped on time.
    const onTime = await orderOf(loyal, { paidAt: hoursAgo(2) }, ['SHIPPED']);
    expect(await refusalOf({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: onTime, amount: '10.00' })).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/after its ship-by time/),
    });
  });

  it('the refund-only subsidy needs a refund after receipt and counts its month; STRENGTH shops get 1,000 a month', async () => {
    const refundedAfterReceipt = (merchant: Merchant, paidAmount = '2000.00') =>
      orderOf(merchant, { paidAmount }, ['SHIPPED', 'DELIVERED', 'REFUNDED']);
    const notReceived = await orderOf(strength, {}, ['REFUNDED']);
    expect(
      await refusalOf({
        kind: 'REFUND_ONLY_SUBSIDY',
        orderId: notReceived,
        amount: '10.00',
        qualityAfterReceipt: true,
      }),
    ).toMatchObject({
      code: 'NOT_ELIGIBLE',
    });
    // The subsidy covers a refund: 500.00 on a 198.00 order is refused before any cap is counted.
    expect(
      await refusalOf({
        kind: 'REFUND_ONLY_SUBSIDY',
        orderId: await refundedAfterReceipt(strength, '198.00'),
        amount: '500.00',
        qualityAfterReceipt: true,
      }),
    ).toMatchObject({ code: 'CAP_EXCEEDED', message: expect.stringContaining('198.00 yuan refunded') });
    const first = await post({
      kind: 'REFUND_ONLY_SUBSIDY',
      orderId: await refundedAfterReceipt(strength),
      amount: '1200.00',
      qualityAfterReceipt: true,
    });
    expect(first.postSubsidy.transaction?.amount.amount).toBe('1000.00');
    expect(
      await refusalOf({
        kind: 'REFUND_ONLY_SUBSIDY',
        orderId: await refundedAfterReceipt(strength),
        amount: '10.00',
        qualityAfterReceipt: true,
        period: '2020-01',
      }),
    ).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'period'] });
    expect(
      await refusalOf({
        kind: 'REFUND_ONLY_SUBSIDY',
        orderId: await refundedAfterReceipt(strength),
        amount: '10.00',
        qualityAfterReceipt: true,
      }),
    ).toMatchObject({ code: 'CAP_EXCEEDED' });
    const { merchant } = await finance().data(MerchantLedgerDocument, {
      id: gid.merchant(strength),
      kind: 'REFUND_ONLY_SUBSIDY',
    });
    expect(merchant?.subsidyAllowance).toMatchObject({
      cap: { amount: '1000.00' },
      used: { amount: '1000.00' },
      remaining: { amount: '0.00' },
    });
    const loyalPaid = await post({
      kind: 'REFUND_ONLY_SUBSIDY',
      orderId: await refundedAfterReceipt(loyal),
      amount: '800.00',
      qualityAfterReceipt: true,
    });
    expect(loyalPaid.postSubsidy.transaction?.amount.amount).toBe('500.00');
  });

  it('return shipping needs a shipped order; MALICIOUS buyers get none, HIGH-risk buyers at most 10.00', async () => {
    const unshipped = await orderOf(shop);
    expect(
      await refusalOf({ kind: 'RETURN_SHIPPING_SUBSIDY', orderId: unshipped, amount: '10.00', officialPickup: true }),
    ).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/shipped/),
    });
    const make = factories(app.orm);
    const abuser = await make.buyer();
    const tagged = await app.data(UpsertBuyerDocument, {
      input: { externalId: abuser.externalId, nickname: abuser.nickname, flags: ['MALICIOUS'] },
    });
    expect(tagged.upsertBuyer.userErrors).toEqual([]);
    // Risk follows the tag in the same transaction, not at some later event.
    expect((await app.data(BuyerRiskDocument, { id: gid.buyer(abuser) })).buyer?.risk.level).toBe('HIGH');
    const abusersOrder = await orderOf(shop, {}, ['SHIPPED'], abuser);
    expect(
      await refusalOf({
        kind: 'RETURN_SHIPPING_SUBSIDY',
        orderId: abusersOrder,
        amount: '10.00',
        officialPickup: true,
      }),
    ).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/MALICIOUS/),
    });
    const risky = await make.buyer();
    await app.as(actors.role(Role.INGEST)).data(RecordScoreEventsDocument, {
      input: Array.from({ length: 5 }, () => ({
        factor: 'CLAIM_REJECTED' as const,
        buyerId: gid.buyer(risky),
        occurredAt: hoursAgo(1),
      })),
    });
    expect((await app.data(BuyerRiskDocument, { id: gid.buyer(risky) })).buyer?.risk.level).toBe('HIGH');
    const riskyOrder = await orderOf(shop, {}, ['SHIPPED'], risky);
    const paid = await post({
      kind: 'RETURN_SHIPPING_SUBSIDY',
      orderId: riskyOrder,
      amount: '20.00',
      officialPickup: true,
    });
    expect(paid.postSubsidy.transaction?.amount.amount).toBe('10.00');
  });

  it('a merchant voids its own order for a price error before completion; the buyer gets 5.00, once, automatically', async () => {
    const completed = await orderOf(shop, {}, ['SHIPPED', 'DELIVERED', 'COMPLETED']);
    expect(await refusalOf({ kind: 'PRICE_ERROR_COMPENSATION', orderId: completed })).toMatchObject({
      code: 'NOT_ELIGIBLE',
    });
    const asShop = app.as(actors.merchant(shop));
    const tooLate = await asShop.data(VoidOrderForPriceErrorDocument, {
      input: { orderId: completed, reason: '标价错误' },
    });
    expect(tooLate.voidOrderForPriceError.userErrors[0]).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    const shipped = await orderOf(shop, {}, ['SHIPPED']);
    const voided = await asShop.data(VoidOrderForPriceErrorDocument, {
      input: { orderId: shipped, reason: '标价少一个零' },
    });
    expect(voided.voidOrderForPriceError.order).toMatchObject({ status: 'VOIDED', voidedAt: expect.any(String) });
    expect(await paidOn(shipped)).toEqual([['PRICE_ERROR_COMPENSATION', '5.00']]);
    expect(await refusalOf({ kind: 'PRICE_ERROR_COMPENSATION', orderId: shipped })).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/already posted/),
    });
  });

  it('fees and rebates move by themselves from order events, once per order, even when ingested that way', async () => {
    const input = orderInput(
      {
        merchant: shop,
        buyer: (await factories(app.orm).buyer()) as never,
        product: await factories(app.orm).product(shop),
      },
      {
        status: 'COMPLETED',
        paidAmount: '500.00',
        destinationRegion: 'XINJIANG',
        paidAt: hoursAgo(300),
        shippedAt: hoursAgo(290),
        deliveredAt: hoursAgo(200),
        completedAt: hoursAgo(10),
      },
    );
    const { ingestOrders } = await app.data(IngestOrdersDocument, { input: [input] });
    const orderId = ingestOrders.results[0].order!.id;
    expect((await paidOn(orderId)).sort()).toEqual([
      ['REMOTE_LOGISTICS_FEE', '15.00'],
      ['TECH_SERVICE_FEE', '3.00'],
    ]);
    await app.data(IngestOrdersDocument, { input: [input] });
    expect(await paidOn(orderId)).toHaveLength(2);
    const promoted = await orderOf(shop, { promoted: true, promotionFee: '12.00' }, ['SHIPPED', 'REFUNDED']);
    expect(await paidOn(promoted)).toEqual([['PROMOTION_FEE_REBATE', '12.00']]);
  });

  it('nothing to pay is a clear answer, never a database error: a 0.6% fee on 0.83 yuan', async () => {
    const tiny = await orderOf(shop, { paidAmount: '0.83' }, ['SHIPPED', 'DELIVERED', 'COMPLETED']);
    expect(await paidOn(tiny)).toEqual([]);
    const refused = await post({ kind: 'TECH_SERVICE_FEE', orderId: tiny });
    expect(refused.postSubsidy.userErrors[0]).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringMatching(/^nothing to pay/),
    });
  });
});
