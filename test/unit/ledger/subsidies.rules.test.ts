import { describe, expect, it } from 'vitest';
import { LedgerKind } from '../../../src/modules/ledger/ledger.enums';
import {
  applyBasisPoints,
  monthBounds,
  monthOf,
  quoteFor,
  type SubsidyFacts,
} from '../../../src/modules/ledger/subsidies.rules';
import { isHighRepurchase } from '../../../src/modules/trust/trust.rules';
import { DEFAULT_POLICY_NUMBERS as policy } from '../../../src/modules/policies/policy.defaults';
import { MerchantTier, OrderStatus } from '../../../src/shared/enums';

const yuan = (n: number) => Math.round(n * 100);
const order = (values: Partial<NonNullable<SubsidyFacts['order']>> = {}): NonNullable<SubsidyFacts['order']> => ({
  paidAmount: yuan(100),
  promoted: false,
  promotionFee: 0,
  custom: false,
  hosted: false,
  status: OrderStatus.COMPLETED,
  shipBy: new Date(Date.now() - 86_400_000),
  shippedAt: new Date(Date.now() - 2 * 86_400_000),
  remoteRegion: false,
  ...values,
});
const quote = (kind: LedgerKind, facts: Partial<SubsidyFacts>) => quoteFor(kind, { alreadyPaid: 0, ...facts }, policy);

describe('return-shipping subsidy (official pickup only)', () => {
  const kind = LedgerKind.RETURN_SHIPPING_SUBSIDY;
  it('pays the cost up to 25 yuan per order', () => {
    expect(quote(kind, { order: order(), officialPickup: true, requested: yuan(18) }).amount).toBe(yuan(18));
    expect(quote(kind, { order: order(), officialPickup: true, requested: yuan(40) })).toMatchObject({
      amount: yuan(25),
      cap: yuan(25),
    });
  });
  it('up to 50 yuan for large orders of STRENGTH and SUPER_FACTORY shops', () => {
    const large = order({ paidAmount: yuan(1000) });
    for (const tier of [MerchantTier.STRENGTH, MerchantTier.SUPER_FACTORY]) {
      expect(quote(kind, { order: large, merchantTier: tier, officialPickup: true, requested: yuan(80) }).amount).toBe(
        yuan(50),
      );
    }
    expect(
      quote(kind, {
        order: order({ paidAmount: yuan(999.99) }),
        merchantTier: MerchantTier.STRENGTH,
        officialPickup: true,
        requested: yuan(80),
      }).amount,
    ).toBe(yuan(25));
    expect(
      quote(kind, { order: large, merchantTier: MerchantTier.STANDARD, officialPickup: true, requested: yuan(80) })
        .amount,
    ).toBe(yuan(25));
  });
  it('up to 200 yuan for SUPER_BUYER buyers', () => {
    expect(
      quote(kind, { order: order(), buyerIsSuperBuyer: true, officialPickup: true, requested: yuan(250) }),
    ).toMatchObject({ amount: yuan(200), cap: yuan(200) });
  });
  it('nothing without an official pickup', () => {
    expect(quote(kind, { order: order(), officialPickup: false, requested: yuan(10) })).toMatchObject({
      eligible: false,
      refusal: 'NOT_ELIGIBLE',
    });
  });
});

describe('dispute compensation on custom orders', () => {
  const kind = LedgerKind.DISPUTE_COMPENSATION;
  it('is 5% of the sub-order, at most 3,000 yuan per claim', () => {
    expect(quote(kind, { order: order({ custom: true, paidAmount: yuan(2000) }) }).amount).toBe(yuan(100));
    expect(quote(kind, { order: order({ custom: true, paidAmount: yuan(100_000) }) })).toMatchObject({
      amount: yuan(3000),
      cap: yuan(3000),
    });
    expect(quote(kind, { order: order({ custom: false }) }).eligible).toBe(false);
  });
  it('adds up to 5% of the sub-order across claims: a second claim pays what is left, a third nothing', () => {
    const custom = order({ custom: true, paidAmount: yuan(1000) });
    expect(quote(kind, { order: custom, paidOnOrder: yuan(30) }).amount).toBe(yuan(20));
    expect(quote(kind, { order: custom, paidOnOrder: yuan(50) })).toMatchObject({
      eligible: false,
      refusal: 'CAP_EXCEEDED',
    });
    expect(quote(kind, { order: custom, requested: yuan(10) }).amount).toBe(yuan(10));
  });
  it('names the right reason when 5% of a tiny sub-order rounds to nothing and nothing was paid before', () => {
    const tiny = quote(kind, { order: order({ custom: true, paidAmount: 9 }), requested: 1 });
    expect(tiny).toMatchObject({ eligible: false, refusal: 'NOT_ELIGIBLE' });
    expect(tiny.explanation).toMatch(/less than 0.01 yuan/);
    expect(tiny.explanation).not.toMatch(/earlier claims/);
  });
});

describe('transit loss', () => {
  const kind = LedgerKind.TRANSIT_LOSS_COMPENSATION;
  const valuable = order({ paidAmount: yuan(100_000), status: OrderStatus.SHIPPED });
  it('pays the goods value, at most 50,000 yuan', () => {
    expect(quote(kind, { order: valuable, requested: yuan(12_345.67) }).amount).toBe(yuan(12_345.67));
    expect(quote(kind, { order: valuable, requested: yuan(80_000) }).amount).toBe(yuan(50_000));
  });
  it('never more than the goods were worth, across claims, and needs the order', () => {
    const cheap = order({ paidAmount: yuan(10), status: OrderStatus.SHIPPED });
    expect(quote(kind, { order: cheap, requested: yuan(50_000) }).amount).toBe(yuan(10));
    expect(quote(kind, { order: cheap, requested: yuan(8), paidOnOrder: yuan(6) }).amount).toBe(yuan(4));
    expect(quote(kind, { order: cheap, requested: yuan(1), paidOnOrder: yuan(10) })).toMatchObject({
      eligible: false,
      refusal: 'CAP_EXCEEDED',
    });
    expect(quote(kind, { order: valuable, requested: yuan(20_000), paidOnOrder: yuan(40_000) }).amount).toBe(
      yuan(10_000),
    );
    expect(quote(kind, { requested: yuan(10) }).eligible).toBe(false);
  });
});

describe('monthly subsidies of high-repurchase merchants', () => {
  it('late shipment: at most 300 yuan per month across claims', () => {
    const kind = LedgerKind.LATE_SHIPMENT_SUBSIDY;
    expect(quote(kind, { highRepurchase: true, requested: yuan(120), alreadyPaid: yuan(250) })).toMatchObject({
      amount: yuan(50),
      cap: yuan(300),
    });
    expect(quote(kind, { highRepurchase: true, requested: yuan(10), alreadyPaid: yuan(300) })).toMatchObject({
      eligible: false,
      refusal: 'CAP_EXCEEDED',
    });
    expect(quote(kind, { highRepurchase: false, requested: yuan(10) }).refusal).toBe('NOT_ELIGIBLE');
  });
  it('quality refund-only after receipt: at most 500 yuan per month', () => {
    const kind = LedgerKind.REFUND_ONLY_SUBSIDY;
    const refunded = yuan(1_000);
    expect(
      quote(kind, { highRepurchase: true, qualityAfterReceipt: true, refunded, requested: yuan(800) }).amount,
    ).toBe(yuan(500));
    // Never more than the refund it covers: 500.00 quoted on a 10.00 refund is refused, 10.00 is paid.
    expect(
      quote(kind, { highRepurchase: true, qualityAfterReceipt: true, refunded: yuan(10), requested: yuan(500) }),
    ).toMatchObject({ eligible: false, refusal: 'CAP_EXCEEDED', cap: yuan(10), capName: 'the refund' });
    expect(
      quote(kind, { highRepurchase: true, qualityAfterReceipt: true, refunded: yuan(10), requested: yuan(10) }).amount,
    ).toBe(yuan(10));
    expect(quote(kind, { highRepurchase: true, qualityAfterReceipt: false, requested: yuan(80) }).eligible).toBe(false);
  });
  it('high repurchase needs enough buyers and enough of them returning', () => {
    expect(isHighRepurchase({ buyers: 20, repeatBuyers: 6 }, policy)).toBe(true); // 30%
    expect(isHighRepurchase({ buyers: 20, repeatBuyers: 5 }, policy)).toBe(false);
    expect(isHighRepurchase({ buyers: 19, repeatBuyers: 19 }, policy)).toBe(false);
  });
});

describe('technical service fee', () => {
  const kind = LedgerKind.TECH_SERVICE_FEE;
  it('is 0.6% of the paid amount excluding shipping, at most 18 yuan per sub-order', () => {
    expect(quote(kind, { order: order({ paidAmount: yuan(1000) }) }).amount).toBe(yuan(6));
    expect(quote(kind, { order: order({ paidAmount: yuan(3000) }) }).amount).toBe(yuan(18));
    expect(quote(kind, { order: order({ paidAmount: yuan(10_000) }) })).toMatchObject({
      amount: yuan(18),
      cap: yuan(18),
    });
    // Rounded half up to the fen: 0.6% of 1.25 yuan is 0.75 fen → 1 fen; of 0.75 yuan, 0.45 fen → 0.
    expect(applyBasisPoints(125, 60)).toBe(1);
    expect(applyBasisPoints(75, 60)).toBe(0);
  });
  it('is not charged when refunded before shipping, nor for hosted orders, nor before completion', () => {
    expect(quote(kind, { order: order({ status: OrderStatus.REFUNDED, shippedAt: null }) }).eligible).toBe(false);
    expect(quote(kind, { order: order({ hosted: true }) }).eligible).toBe(false);
    expect(quote(kind, { order: order({ status: OrderStatus.DELIVERED }) }).eligible).toBe(false);
  });
  it('is rebated in full', () => {
    expect(quote(LedgerKind.TECH_SERVICE_FEE_REBATE, { chargedFee: yuan(6) }).amount).toBe(yuan(6));
    expect(quote(LedgerKind.TECH_SERVICE_FEE_REBATE, { chargedFee: null }).eligible).toBe(false);
  });
});

describe('other payouts', () => {
  it('promotion fee back for a promoted order fully refunded or flagged abnormal', () => {
    const promoted = order({ promoted: true, promotionFee: yuan(9.9), status: OrderStatus.REFUNDED });
    expect(quote(LedgerKind.PROMOTION_FEE_REBATE, { order: promoted }).amount).toBe(yuan(9.9));
    expect(
      quote(LedgerKind.PROMOTION_FEE_REBATE, { order: { ...promoted, status: OrderStatus.COMPLETED } }).eligible,
    ).toBe(false);
    expect(
      quote(LedgerKind.PROMOTION_FEE_REBATE, {
        order: { ...promoted, status: OrderStatus.COMPLETED },
        flaggedAbnormal: true,
      }).eligible,
    ).toBe(true);
  });
  it('price set by mistake: 5 yuan to the buyer of an order the merchant voided, nothing otherwise', () => {
    expect(quote(LedgerKind.PRICE_ERROR_COMPENSATION, { order: order({ status: OrderStatus.VOIDED }) }).amount).toBe(
      yuan(5),
    );
    expect(quote(LedgerKind.PRICE_ERROR_COMPENSATION, { order: order() }).eligible).toBe(false);
  });
  it('a buyer whose case found the merchant at fault gets a 5-yuan no-threshold coupon, nobody else', () => {
    expect(quote(LedgerKind.BUYER_EXPERIENCE_COUPON, { order: order(), merchantAtFault: true }).amount).toBe(yuan(5));
    expect(quote(LedgerKind.BUYER_EXPERIENCE_COUPON, { order: order() }).eligible).toBe(false);
  });
  it('a fee that rounds to 0.00 is no posting: 0.6% of 0.83 yuan; 0.84 yuan pays 0.01', () => {
    expect(quote(LedgerKind.TECH_SERVICE_FEE, { order: order({ paidAmount: 83 }) })).toMatchObject({
      eligible: false,
      amount: 0,
      refusal: 'NOT_ELIGIBLE',
      explanation: expect.stringMatching(/^nothing to pay/),
    });
    expect(quote(LedgerKind.TECH_SERVICE_FEE, { order: order({ paidAmount: 84 }) }).amount).toBe(1);
  });
  it('remote logistics transfer fee only for remote regions', () => {
    expect(
      quote(LedgerKind.REMOTE_LOGISTICS_FEE, { order: order({ remoteRegion: true }), requested: yuan(12) }).amount,
    ).toBe(yuan(12));
    expect(quote(LedgerKind.REMOTE_LOGISTICS_FEE, { order: order({ remoteRegion: true }) }).amount).toBe(yuan(15));
    expect(quote(LedgerKind.REMOTE_LOGISTICS_FEE, { order: order(), requested: yuan(12) }).eligible).toBe(false);
  });
  it('small-merchant coupons: at most 6,000 yuan per SMALL merchant', () => {
    expect(
      quote(LedgerKind.SMALL_MERCHANT_COUPONS, {
        merchantTier: MerchantTier.SMALL,
        requested: yuan(5000),
        alreadyPaid: yuan(2000),
      }).amount,
    ).toBe(yuan(4000));
    expect(
      quote(LedgerKind.SMALL_MERCHANT_COUPONS, {
        merchantTier: MerchantTier.SMALL,
        requested: yuan(1),
        alreadyPaid: yuan(6000),
      }).refusal,
    ).toBe('CAP_EXCEEDED');
    expect(
      quote(LedgerKind.SMALL_MERCHANT_COUPONS, { merchantTier: MerchantTier.STANDARD, requested: yuan(1) }).eligible,
    ).toBe(false);
  });
  it('growth incentive: the base rate at the base target, the sprint multiple at the sprint target', () => {
    const targets = { baseTarget: yuan(10_000), sprintTarget: yuan(50_000) };
    expect(quote(LedgerKind.GROWTH_INCENTIVE, { ...targets, periodSales: yuan(9_999) }).eligible).toBe(false);
    expect(quote(LedgerKind.GROWTH_INCENTIVE, { ...targets, periodSales: yuan(20_000) }).amount).toBe(
      applyBasisPoints(yuan(20_000), policy.growthIncentive.baseRateBp),
    );
    expect(quote(LedgerKind.GROWTH_INCENTIVE, { ...targets, periodSales: yuan(60_000) }).amount).toBe(
      applyBasisPoints(yuan(60_000), policy.growthIncentive.baseRateBp * policy.growthIncentive.sprintMultiplier),
    );
  });
});

describe('periods', () => {
  it('months are China-time calendar months', () => {
    expect(monthOf(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12'); // midnight in Beijing
    expect(monthOf(new Date('2026-11-30T15:59:59Z'))).toBe('2026-11');
    expect(monthBounds('2026-12')).toEqual({
      from: new Date('2026-11-30T16:00:00Z'),
      to: new Date('2026-12-31T16:00:00Z'),
    });
  });
});

describe('remote transfer fee', () => {
  const kind = LedgerKind.REMOTE_LOGISTICS_FEE;
  const remote = order({ remoteRegion: true, status: OrderStatus.SHIPPED });
  it(`is the policy's fee, and a fee posted by hand is held to it too (not any amount)`, () => {
    expect(quote(kind, { order: remote }).amount).toBe(policy.remoteTransferFee);
    expect(quote(kind, { order: remote, requested: 10_000_000 })).toMatchObject({
      eligible: true,
      amount: policy.remoteTransferFee,
      cap: policy.remoteTransferFee,
    });
    expect(quote(kind, { order: remote, requested: 500 }).amount).toBe(500);
    expect(quote(kind, { order: order({ remoteRegion: false }) }).eligible).toBe(false);
  });
});
