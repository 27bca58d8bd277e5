/**
 * Trust-score numbers. DOMAIN.md gives the scale (0-5, one decimal shown), the top band (4.8) and the
 * inputs; the weights, baselines and other bands are ours, and every one is a policy number.
 */
// Checked against the trust schema where policy.schema.ts makes it the default (no import back, no circle).
export const DEFAULT_TRUST_NUMBERS = {
  windowDays: 90,
  experienceBaseline: 45_000, // 4.5
  integrityBaseline: 10_000, // 100.00
  productBaseline: 8_000, // 80.00
  bands: { top: 48_000, high: 44_000, medium: 40_000 }, // 4.8 (Taobao top), 4.4, 4.0
  weights: {
    SHIPPED_ON_TIME: { experience: 50, integrity: 0, product: 0 },
    SHIPPED_LATE: { experience: -1_000, integrity: -100, product: -50 }, // -0.1 experience per late shipment
    REPLY_RATE_MET: { experience: 100, integrity: 0, product: 0 },
    REPLY_RATE_MISSED: { experience: -500, integrity: 0, product: 0 },
    COMPLAINT: { experience: -800, integrity: -200, product: -100 },
    AFTER_SALES_MERCHANT_AT_FAULT: { experience: -600, integrity: -100, product: -200 },
    AFTER_SALES_NOT_AT_FAULT: { experience: 0, integrity: 0, product: 0 },
    APPEAL_UPHELD: { experience: 0, integrity: 100, product: 0 },
    APPEAL_REJECTED: { experience: 0, integrity: -50, product: 0 },
    REPEAT_PURCHASE: { experience: 200, integrity: 0, product: 100 },
    MANUAL_ADJUSTMENT: { experience: 0, integrity: 0, product: 0 },
  },
  newMerchantMinOrders: 30, // ours: Douyin's new merchants "without an experience score"
  maxManualExperience: 5_000, // ±0.5
  maxManualIntegrity: 2_000, // ±20 points
  buyerRisk: {
    windowDays: 90,
    minOrders: 5,
    refundOnlyRateWeight: 10_000,
    rejectedClaimWeight: 1_500,
    mediumFrom: 4_000,
    highFrom: 7_000,
  },
};
