import { MerchantTier, Province } from '../../shared/enums';
import { type PolicyNumbers, policyNumbersSchema } from './policy.schema';

/**
 * Version 1 of the policy: the defaults of ../shared/DOMAIN.md. Numbers the articles do not give are
 * marked "ours"; every one can be changed by publishing a new version.
 */
export const DEFAULT_POLICY_NUMBERS: PolicyNumbers = policyNumbersSchema.parse({
  shipWithinHours: 48, // PDD: ship within 48 h
  remoteRegions: [
    Province.XINJIANG,
    Province.TIBET,
    Province.QINGHAI,
    Province.GANSU,
    Province.NINGXIA,
    Province.INNER_MONGOLIA,
  ],
  reply: { withinMinutes: 3, minRateBp: 8_000 }, // PDD: reply within 3 min at ≥ 80%
  refundOnly: {
    autonomyMinExperienceScore: 48, // 4.8: no platform intervention above it
    autonomyMinIntegrityScore: 9_000, // ours: 90.00, and no more violations than that took off
    interventionDelayHours: 48,
    platformInterventionCap: 20_000, // 200 yuan
    circuitBreaker: {
      windowDays: 30,
      buyerRateBp: 3_000, // 30%
      merchantRateBp: 1_000, // 10%
      productRateBp: 1_500, // 15%
      buyerMinSample: 5, // ours
      merchantMinSample: 50, // ours
      productMinSample: 20, // ours
    },
  },
  highRepurchase: {
    windowDays: 90, // ours
    minBuyers: 20, // ours
    repeatBuyerRateBp: 3_000, // ours: 30% of buyers bought again
    refundOnlySubsidyMonthlyCap: 50_000, // 500 yuan per month
    lateShipmentMonthlyCap: 30_000, // 300 yuan per month
  },
  returnShipping: {
    standardCap: 2_500, // 25 yuan per order
    largeOrderCap: 5_000, // 50 yuan: large orders of STRENGTH / SUPER_FACTORY shops
    largeOrderMinPaid: 100_000, // ours: 1,000 yuan makes a large order
    largeOrderTiers: [MerchantTier.STRENGTH, MerchantTier.SUPER_FACTORY],
    superBuyerCap: 20_000, // up to 200 yuan for SUPER_BUYER buyers
    highRiskBuyerCap: 1_000, // ours: 10 yuan for HIGH-risk buyers; MALICIOUS buyers get none
  },
  disputeCompensation: { rateBp: 500, cap: 300_000 }, // 5% of the sub-order, ≤ 3,000 yuan
  transitLossCap: 5_000_000, // 50,000 yuan
  techServiceFee: { rateBp: 60, cap: 1_800 }, // 0.6%, ≤ 18 yuan per sub-order
  priceErrorCompensation: 500, // 5 yuan to the buyer
  smallMerchantCouponCap: 600_000, // 6,000 yuan of coupons per small merchant
  growthIncentive: { baseRateBp: 100, sprintMultiplier: 3 }, // ours: 1% rebate, 3× at sprint
  lowPriceWarning: { windowDays: 90, belowMedianBp: 5_000 }, // below 50% of the 90-day median
  appealSla: { standardHours: 72, greenChannelHours: 24 }, // ours
  topBandMinExperienceScore: 48, // Taobao: 4.8+ is top
  merchantStatus: { remedyWindowDays: 7 }, // ours: a week to remedy between a warning and clearing
  tierBenefits: { tiers: [MerchantTier.STRENGTH, MerchantTier.SUPER_FACTORY], refundOnlySubsidyMonthlyCap: 100_000 }, // 1688; ours: 1,000 yuan
  remoteTransferFee: 1_500, // ours: 15 yuan per order to a remote region
});
