import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerInvariantViolations } from '../../../src/modules/ledger/ledger.query';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { Role } from '../../../src/security/roles';
import { DAY_MS } from '../../../src/shared/time';
import {
  AllocateFundDocument,
  FundsDocument,
  LedgerTransactionsDocument,
  MerchantLedgerDocument,
  type PostSubsidyInput,
  PostSubsidyDocument,
  QuoteSubsidyDocument,
  ReverseLedgerTransactionDocument,
  VoidOrderForPriceErrorDocument,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { orderPlacer } from '../../helpers/orders';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

describe('subsidy ledger', () => {
  let app: TestApp;
  let strength: Merchant;
  let small: Merchant;
  let loyal: Merchant;
  let key = 0;
  const finance = () => app.as(actors.role(Role.FINANCE));
  const post = (input: Omit<PostSubsidyInput, 'idempotencyKey'> & { idempotencyKey?: string }) =>
    finance().data(PostSubsidyDocument, { input: { idempotencyKey: `k-${++key}`, reason: '测试', ...input } });

  const orderOf = orderPlacer(() => app, ['SHIPPED', 'DELIVERED', 'COMPLETED']);

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    strength = await make.merchant({ tier: 'STRENGTH' as never });
    small = await make.merchant({ tier: 'SMALL' as never });
    loyal = await make.merchant();
    // A high-repurchase shop: 20 buyers, each ordered twice in the window.
    const product = await make.product(loyal);
    const buyers = await Promise.all(Array.from({ length: 20 }, () => make.buyer()));
    await make.orders(buyers.map((buyer) => ({ merchant: loyal, buyer, product, count: 2 })));
    for (const fund of ['SPECIAL_SUBSIDY', 'RESOURCE_PACK'] as const) {
      await finance().data(AllocateFundDocument, {
        input: { fund, amount: '1000000', reason: '年度预算', idempotencyKey: `budget-${fund}` },
      });
    }
  });
  afterAll(() => app?.close());

  /** The postings on an order, kind → amounts (automatic ones included). */
  const postingsOf = async (orderId: string) => {
    const { ledgerTransactions } = await finance().data(LedgerTransactionsDocument, { filter: { orderId }, first: 50 });
    return ledgerTransactions.edges.map((e) => [e.node.kind, e.node.amount.amount, e.node.reason]);
  };

  it('quotes without writing, then posts exactly the quoted amount with its cause and policy version', async () => {
    const orderId = await orderOf(strength, { paidAmount: '1200.00' });
    const input = { kind: 'RETURN_SHIPPING_SUBSIDY' as const, orderId, amount: '80.00', officialPickup: true };
    const before = await postingsOf(orderId);
    const { quoteSubsidy } = await finance().data(QuoteSubsidyDocument, { input });
    expect(quoteSubsidy.quote).toMatchObject({
      eligible: true,
      amount: { amount: '50.00' },
      cap: { amount: '50.00' },
      requested: { amount: '80.00' },
      policyVersion: 1,
    });
    expect(await postingsOf(orderId)).toEqual(before);

    const { postSubsidy } = await post(input);
    expect(postSubsidy.transaction).toMatchObject({
      kind: 'RETURN_SHIPPING_SUBSIDY',
      amount: { amount: '50.00' },
      policyVersion: 1,
      actor: 'FINANCE:test-finance',
      order: { id: orderId },
      merchant: { id: gid.merchant(strength) },
      entries: [
        { accountCode: 'BUYER_COMPENSATION', accountKind: 'BUYER_COMPENSATION', amount: { amount: '50.00' } },
        { accountCode: 'FUND:SPECIAL_SUBSIDY', accountKind: 'FUND', amount: { amount: '-50.00' } },
      ],
    });
    const again = await post({ ...input, idempotencyKey: 'another-key' });
    expect(again.postSubsidy.userErrors[0]).toMatchObject({ code: 'NOT_ELIGIBLE' });
  });

  it('charges the 0.6% technical service fee automatically on completion (≤ 18 yuan), once, never on hosted orders', async () => {
    const orderId = await orderOf(strength, { paidAmount: '1000.00' });
    expect(await postingsOf(orderId)).toEqual([
      ['TECH_SERVICE_FEE', '6.00', expect.stringMatching(/^automatic: order completed/)],
    ]);
    expect((await post({ kind: 'TECH_SERVICE_FEE', orderId })).postSubsidy.userErrors[0].message).toMatch(
      /already posted/,
    );
    const big = await orderOf(strength, { paidAmount: '9000.00' });
    expect((await postingsOf(big))[0].slice(0, 2)).toEqual(['TECH_SERVICE_FEE', '18.00']);
    const rebate = await post({ kind: 'TECH_SERVICE_FEE_REBATE', orderId, reason: '申诉成立' });
    expect(rebate.postSubsidy.transaction?.amount.amount).toBe('6.00');
    const hosted = await orderOf(strength, { hosted: true });
    expect(await postingsOf(hosted)).toEqual([]);
    expect((await post({ kind: 'TECH_SERVICE_FEE', orderId: hosted })).postSubsidy.userErrors[0].code).toBe(
      'NOT_ELIGIBLE',
    );
    const refundedEarly = await post({ kind: 'TECH_SERVICE_FEE', orderId: await orderOf(strength, {}, ['REFUNDED']) });
    expect(refundedEarly.postSubsidy.userErrors[0].message).toMatch(/refunded before shipping/);
  });

  it('pays every other kind for its fact: some by hand, the automatic ones from the order events', async () => {
    const custom = await orderOf(strength, { custom: true, paidAmount: '2000.00' });
    expect((await post({ kind: 'DISPUTE_COMPENSATION', orderId: custom })).postSubsidy.transaction?.amount.amount).toBe(
      '100.00',
    );
    const lost = await orderOf(strength, { paidAmount: '60000.00' }, ['SHIPPED']);
    expect(
      (await post({ kind: 'TRANSIT_LOSS_COMPENSATION', orderId: lost, amount: '60000.00' })).postSubsidy.transaction
        ?.amount.amount,
    ).toBe('50000.00');
    const refunded = await orderOf(strength, { promoted: true, promotionFee: '9.90' }, ['REFUNDED']);
    expect(await postingsOf(refunded)).toEqual([
      ['PROMOTION_FEE_REBATE', '9.90', expect.stringMatching(/^automatic: order fully refunded/)],
    ]);
    const remote = await orderOf(strength, { destinationRegion: 'TIBET' }, ['SHIPPED']);
    expect(await postingsOf(remote)).toEqual([
      ['REMOTE_LOGISTICS_FEE', '15.00', expect.stringMatching(/^automatic: order shipped to a remote region/)],
    ]);
    expect(
      (await post({ kind: 'PRICE_ERROR_COMPENSATION', orderId: remote })).postSubsidy.userErrors[0].message,
    ).toMatch(/voids the order/);
    await app.data(VoidOrderForPriceErrorDocument, { input: { orderId: remote, reason: '标价少一个零' } });
    expect((await postingsOf(remote)).map((p) => p.slice(0, 2))).toEqual(
      expect.arrayContaining([['PRICE_ERROR_COMPENSATION', '5.00']]),
    );
    expect(
      (await post({ kind: 'SMALL_MERCHANT_COUPONS', merchantId: gid.merchant(small), amount: '7000.00' })).postSubsidy
        .transaction?.amount.amount,
    ).toBe('6000.00');
    expect(
      (await post({ kind: 'SMALL_MERCHANT_COUPONS', merchantId: gid.merchant(small), amount: '1.00' })).postSubsidy
        .userErrors[0].code,
    ).toBe('CAP_EXCEEDED');
    const refundOnly = await post({
      kind: 'REFUND_ONLY_SUBSIDY',
      orderId: await orderOf(loyal, { paidAmount: '1000.00' }, ['SHIPPED', 'DELIVERED', 'REFUNDED']),
      amount: '800.00',
      qualityAfterReceipt: true,
    });
    expect(refundOnly.postSubsidy.transaction?.amount.amount).toBe('500.00');
    const late = await orderOf(strength, {}, ['SHIPPED']);
    const notLoyal = await post({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: late, amount: '10.00' });
    expect(notLoyal.postSubsidy.userErrors[0].message).toMatch(/high-repurchase/);
  });

  it('pays the growth incentive once per month from completed sales', async () => {
    await orderOf(small, { paidAmount: '20000.00' });
    const input = {
      kind: 'GROWTH_INCENTIVE' as const,
      merchantId: gid.merchant(small),
      baseTarget: '10000',
      sprintTarget: '50000',
    };
    const paid = await post(input);
    expect(paid.postSubsidy.transaction?.amount.amount).toBe('200.00'); // 1% base rate of 20,000
    expect((await post(input)).postSubsidy.userErrors[0].code).toBe('NOT_ELIGIBLE');
  });

  it('shows the merchant its ledger, subsidies and remaining caps; another merchant sees none of it', async () => {
    await post({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: await orderOf(loyal, {}, ['SHIPPED']), amount: '120.00' });
    const { merchant } = await app
      .as(actors.merchant(loyal))
      .data(MerchantLedgerDocument, { id: gid.merchant(loyal), kind: 'LATE_SHIPMENT_SUBSIDY' });
    expect(merchant?.subsidyAllowance).toMatchObject({
      cap: { amount: '300.00' },
      used: { amount: '120.00' },
      remaining: { amount: '180.00' },
    });
    expect(merchant?.ledger.cash.amount).toBe('620.00'); // 500 refund-only subsidy + 120 late shipment
    expect(merchant?.subsidies.edges.map((e) => e.node.kind)).toEqual(
      expect.arrayContaining(['LATE_SHIPMENT_SUBSIDY', 'REFUND_ONLY_SUBSIDY']),
    );
    const other = await app
      .as(actors.merchant(small))
      .data(LedgerTransactionsDocument, { filter: { merchantId: gid.merchant(loyal) } });
    expect(other.ledgerTransactions.totalCount).toBe(0);
  });

  it("reports a monthly cap for the month of the request's clock, as a payout would count it", async () => {
    await post({ kind: 'LATE_SHIPMENT_SUBSIDY', orderId: await orderOf(loyal, {}, ['SHIPPED']), amount: '10.00' });
    const allowance = async () =>
      (
        await app
          .as(actors.merchant(loyal))
          .data(MerchantLedgerDocument, { id: gid.merchant(loyal), kind: 'LATE_SHIPMENT_SUBSIDY' })
      ).merchant?.subsidyAllowance;
    expect((await allowance())?.used.amount).not.toBe('0.00');
    // 35 days on, the month is a new one and nothing is used in it yet.
    app.clock.advance(35 * DAY_MS);
    try {
      expect(await allowance()).toMatchObject({
        cap: { amount: '300.00' },
        used: { amount: '0.00' },
        remaining: { amount: '300.00' },
      });
    } finally {
      app.clock.reset();
    }
  });

  it('asking for the allowance of a kind without a per-merchant cap is a client error naming the argument', async () => {
    const result = await app.execute(MerchantLedgerDocument, { id: gid.merchant(loyal), kind: 'TECH_SERVICE_FEE' });
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: ['kind'] } });
    expect(result.errors?.[0].message).toMatch(/LATE_SHIPMENT_SUBSIDY/);
  });

  it('a reversal restores the balances, is linked both ways, and cannot be repeated or reversed', async () => {
    const fundsBefore = (await finance().data(FundsDocument)).funds;
    const { postSubsidy } = await post({
      kind: 'TRANSIT_LOSS_COMPENSATION',
      orderId: await orderOf(strength, {}, ['SHIPPED']),
      amount: '99.00',
    });
    const id = postSubsidy.transaction!.id;
    const { reverseLedgerTransaction } = await finance().data(ReverseLedgerTransactionDocument, {
      input: { transactionId: id, reason: '重复赔付' },
    });
    expect(reverseLedgerTransaction.reversal).toMatchObject({
      kind: 'REVERSAL',
      amount: { amount: '99.00' },
      reversalOf: { id },
    });
    expect(reverseLedgerTransaction.reversal?.entries.map((e) => e.amount.amount).sort()).toEqual(['-99.00', '99.00']);
    expect((await finance().data(FundsDocument)).funds).toEqual(fundsBefore);
    const twice = await finance().data(ReverseLedgerTransactionDocument, {
      input: { transactionId: id, reason: 'again' },
    });
    expect(twice.reverseLedgerTransaction.userErrors[0].code).toBe('ALREADY_REVERSED');
    const ofReversal = await finance().data(ReverseLedgerTransactionDocument, {
      input: { transactionId: reverseLedgerTransaction.reversal!.id, reason: 'x' },
    });
    expect(ofReversal.reverseLedgerTransaction.userErrors[0].code).toBe('NOT_ELIGIBLE');
  });

  it('no account passes 10 trillion yuan, so balances stay exact: 12 allocations of 9,999,999,999,999.99 stop at the bound', async () => {
    const results = [];
    for (let i = 0; i < 12; i++) {
      results.push(
        await finance().data(AllocateFundDocument, {
          input: { fund: 'RESOURCE_PACK', amount: '9999999999999.99', reason: 'huge', idempotencyKey: `huge-${i}` },
        }),
      );
    }
    const refused = results.filter((r) => r.allocateFund.userErrors.length);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0].allocateFund.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'amount'] });
    const { funds } = await finance().data(FundsDocument);
    expect(funds.find((f) => f.code === 'RESOURCE_PACK')).toBeTruthy();
  });

  it('funds report budget, spent and remaining', async () => {
    const { funds } = await finance().data(FundsDocument);
    const special = funds.find((f) => f.code === 'SPECIAL_SUBSIDY')!;
    expect(special.budget.amount).toBe('1000000.00');
    expect(Number(special.spent.amount) + Number(special.remaining.amount)).toBe(1_000_000);
  });

  it('money is never lost: entries sum to zero overall and per transaction, and cached balances equal the entries', async () => {
    expect(await ledgerInvariantViolations(app.orm.em.getKnex())).toEqual([]);
  });

  it('the database refuses an unbalanced transaction and any edit of an entry', async () => {
    const knex = app.orm.em.getKnex();
    await expect(
      knex.transaction(async (trx) => {
        const [tx] = (
          await trx.raw(`insert into ledger_transaction (id, kind, idempotency_key, request_hash, amount, policy_version, reason, actor, effective_at, created_at)
                                      values (gen_random_uuid(), 'TRANSIT_LOSS_COMPENSATION', 'raw', 'x', 1, 1, 'x', 'x', now(), now()) returning id`)
        ).rows;
        const account = (await trx.raw(`select id from ledger_account where code = 'FEE_INCOME'`)).rows[0];
        await trx.raw(
          'insert into ledger_entry (id, transaction_id, account_id, amount) values (gen_random_uuid(), ?, ?, 100)',
          [tx.id, account.id],
        );
      }),
    ).rejects.toThrow(/unbalanced/);
    await expect(knex.raw('update ledger_entry set amount = amount + 1')).rejects.toThrow(/append-only/);
  });
});
