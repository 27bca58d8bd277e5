import { registerEnumType } from 'type-graphql';

export enum AccountKind {
  /** The platform's own money; the source of fund allocations. May go negative. */
  PLATFORM_TREASURY = 'PLATFORM_TREASURY',
  /** A budgeted fund (专项资金, 百亿资源包): its balance is what is left of its budget, never below zero. */
  FUND = 'FUND',
  /** Fees the platform earned (technical service fee). */
  FEE_INCOME = 'FEE_INCOME',
  /** What the platform owes a merchant in cash. */
  MERCHANT_CASH = 'MERCHANT_CASH',
  /** A merchant's advertising balance: promotion-fee rebates and traffic coupons land here. */
  MERCHANT_AD = 'MERCHANT_AD',
  /** Compensation owed to buyers (return shipping, dispute, price errors). */
  BUYER_COMPENSATION = 'BUYER_COMPENSATION',
  /** Remote-area transfer fees the platform pays to logistics. */
  LOGISTICS_PAYABLE = 'LOGISTICS_PAYABLE',
}
registerEnumType(AccountKind, { name: 'AccountKind' });

export enum FundCode {
  SPECIAL_SUBSIDY = 'SPECIAL_SUBSIDY',
  RESOURCE_PACK = 'RESOURCE_PACK',
}
registerEnumType(FundCode, { name: 'FundCode', description: 'SPECIAL_SUBSIDY: 专项资金. RESOURCE_PACK: 百亿资源包.' });

/** What a ledger transaction is for. */
export enum LedgerKind {
  RETURN_SHIPPING_SUBSIDY = 'RETURN_SHIPPING_SUBSIDY',
  DISPUTE_COMPENSATION = 'DISPUTE_COMPENSATION',
  TRANSIT_LOSS_COMPENSATION = 'TRANSIT_LOSS_COMPENSATION',
  LATE_SHIPMENT_SUBSIDY = 'LATE_SHIPMENT_SUBSIDY',
  REFUND_ONLY_SUBSIDY = 'REFUND_ONLY_SUBSIDY',
  PROMOTION_FEE_REBATE = 'PROMOTION_FEE_REBATE',
  TECH_SERVICE_FEE = 'TECH_SERVICE_FEE',
  TECH_SERVICE_FEE_REBATE = 'TECH_SERVICE_FEE_REBATE',
  REMOTE_LOGISTICS_FEE = 'REMOTE_LOGISTICS_FEE',
  PRICE_ERROR_COMPENSATION = 'PRICE_ERROR_COMPENSATION',
  BUYER_EXPERIENCE_COUPON = 'BUYER_EXPERIENCE_COUPON',
  APPEAL_COMPENSATION = 'APPEAL_COMPENSATION',
  SMALL_MERCHANT_COUPONS = 'SMALL_MERCHANT_COUPONS',
  GROWTH_INCENTIVE = 'GROWTH_INCENTIVE',
  FUND_ALLOCATION = 'FUND_ALLOCATION',
  REVERSAL = 'REVERSAL',
}
registerEnumType(LedgerKind, { name: 'LedgerKind' });
