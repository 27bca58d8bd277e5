import { z } from 'zod';
import { AppealKind, CaseReason, EvidenceKind, MerchantTier, Province } from '../../shared/enums';
import { DEFAULT_TRUST_NUMBERS } from './trust.defaults';

/** Policy money: whole fen, at most 100 million yuan (a cap of 10^15 fen is a typo, not a policy). */
export const MAX_POLICY_FEN = 10_000_000_000;
const fen = z.number().int().nonnegative().max(MAX_POLICY_FEN);
/** Rates are basis points (1 bp = 0.01%), so 0.6% is 60: integers, exact. */
const basisPoints = z.number().int().min(0).max(10_000);
const hours = z
  .number()
  .int()
  .min(1)
  .max(24 * 365);
const days = z.number().int().min(1).max(3650);
const count = z.number().int().min(0).max(1_000_000);
const GOODS = [EvidenceKind.PHOTO, EvidenceKind.DESCRIPTION];
/** Ours: photos and a description of the goods; a logistics record for delivery problems. */
export const DEFAULT_KEY_EVIDENCE: Record<CaseReason, EvidenceKind[]> = {
  [CaseReason.QUALITY]: GOODS,
  [CaseReason.MINOR_DEFECT]: GOODS,
  [CaseReason.NOT_AS_DESCRIBED]: GOODS,
  [CaseReason.DAMAGED]: GOODS,
  [CaseReason.WRONG_ITEM]: GOODS,
  [CaseReason.LOGISTICS]: [EvidenceKind.LOGISTICS_RECORD, EvidenceKind.DESCRIPTION],
  [CaseReason.NOT_RECEIVED]: [EvidenceKind.DESCRIPTION],
  [CaseReason.CHANGED_MIND]: [EvidenceKind.DESCRIPTION],
};

/** Ours: what each appeal must carry when filed. */
export const DEFAULT_APPEAL_EVIDENCE: Record<AppealKind, EvidenceKind[]> = {
  [AppealKind.ABNORMAL_ORDER]: [EvidenceKind.DESCRIPTION, EvidenceKind.LOGISTICS_RECORD],
  [AppealKind.MALICIOUS_COMPLAINT]: [EvidenceKind.DESCRIPTION, EvidenceKind.CHAT_LOG],
  [AppealKind.NEGATIVE_EXPERIENCE]: [EvidenceKind.DESCRIPTION],
  [AppealKind.AFTER_SALES_RULING]: [EvidenceKind.DESCRIPTION, EvidenceKind.PHOTO],
  [AppealKind.SCORE_DEDUCTION]: [EvidenceKind.DESCRIPTION],
  [AppealKind.PENALTY]: [EvidenceKind.DESCRIPTION],
  [AppealKind.FORCE_MAJEURE_REPORT]: [EvidenceKind.DESCRIPTION],
};

/** Experience scores in tenths: 4.8 is 48. */
const scoreTenths = z.number().int().min(0).max(50);

export enum ScoreFactor {
  SHIPPED_ON_TIME = 'SHIPPED_ON_TIME',
  SHIPPED_LATE = 'SHIPPED_LATE',
  REPLY_RATE_MET = 'REPLY_RATE_MET',
  REPLY_RATE_MISSED = 'REPLY_RATE_MISSED',
  COMPLAINT = 'COMPLAINT',
  AFTER_SALES_MERCHANT_AT_FAULT = 'AFTER_SALES_MERCHANT_AT_FAULT',
  AFTER_SALES_NOT_AT_FAULT = 'AFTER_SALES_NOT_AT_FAULT',
  APPEAL_UPHELD = 'APPEAL_UPHELD',
  APPEAL_REJECTED = 'APPEAL_REJECTED',
  REPEAT_PURCHASE = 'REPEAT_PURCHASE',
  MANUAL_ADJUSTMENT = 'MANUAL_ADJUSTMENT',
  /** Buyer facts: they count toward buyer risk and move no merchant score. */
  REFUND_ONLY_REQUESTED = 'REFUND_ONLY_REQUESTED',
  CLAIM_REJECTED = 'CLAIM_REJECTED',
}

/** Experience in ten-thousandths of a point (4.8 = 48000); integrity and product scores in hundredths. */
const weight = z
  .object({
    experience: z.number().int().min(-50_000).max(50_000),
    integrity: z.number().int().min(-10_000).max(10_000),
    product: z.number().int().min(-10_000).max(10_000),
  })
  .strict();

export const trustSchema = z
  .object({
    windowDays: days,
    experienceBaseline: z.number().int().min(0).max(50_000),
    integrityBaseline: z.number().int().min(0).max(10_000),
    productBaseline: z.number().int().min(0).max(10_000),
    /** Lower bounds of the bands, in ten-thousandths: TOP (4.8), HIGH, MEDIUM; below is LOW. */
    bands: z
      .object({
        top: z.number().int().min(0).max(50_000),
        high: z.number().int().min(0).max(50_000),
        medium: z.number().int().min(0).max(50_000),
      })
      .strict(),
    weights: z.record(z.nativeEnum(ScoreFactor), weight),
    /** Fewer orders than this in the window: a new merchant, with no score yet and band NEW (ours: 30). */
    newMerchantMinOrders: count.default(30),
    /** Largest manual adjustment per event. */
    maxManualExperience: z.number().int().min(0).max(50_000),
    maxManualIntegrity: z.number().int().min(0).max(10_000),
    buyerRisk: z
      .object({
        windowDays: days,
        minOrders: count,
        /** Risk points (hundredths) per 100% refund-only rate, and per rejected claim. */
        refundOnlyRateWeight: z.number().int().min(0).max(10_000),
        rejectedClaimWeight: z.number().int().min(0).max(10_000),
        mediumFrom: z.number().int().min(0).max(10_000),
        highFrom: z.number().int().min(0).max(10_000),
      })
      .strict(),
  })
  .strict();

/**
 * Every number of ../shared/DOMAIN.md, as one versioned document. Services read the version in force
 * at the time of the event, never a literal.
 */
export const policyNumbersSchema = z
  .object({
    shipWithinHours: hours,
    remoteRegions: z.array(z.nativeEnum(Province)).max(40),
    reply: z.object({ withinMinutes: z.number().int().min(1).max(1440), minRateBp: basisPoints }).strict(),
    refundOnly: z
      .object({
        autonomyMinExperienceScore: scoreTenths,
        /**
         * Rule 2's integrity half: the top of autonomy also needs an integrity score (hundredths,
         * 100.00 at the start, lowered by violations) at least this (ours: 90.00).
         */
        autonomyMinIntegrityScore: z.number().int().min(0).max(10_000).default(9_000),
        interventionDelayHours: hours,
        platformInterventionCap: fen,
        circuitBreaker: z
          .object({
            windowDays: days,
            buyerRateBp: basisPoints,
            merchantRateBp: basisPoints,
            productRateBp: basisPoints,
            buyerMinSample: count,
            merchantMinSample: count,
            productMinSample: count,
          })
          .strict(),
        /**
         * Graded autonomy below the top band: claims up to this amount the merchant decides itself and
         * the platform does not intervene (ours: HIGH 100 yuan, MEDIUM 50, LOW and NEW none).
         */
        bandAutonomy: z
          .object({ high: fen, medium: fen, low: fen, new: fen })
          .strict()
          .default({ high: 10_000, medium: 5_000, low: 0, new: 0 }),
        /**
         * Rule 3, "no full refund-only" on a minor or hard-to-judge defect: a partial refund is at
         * most this share of the claim (ours: half), so a refund one fen short of full is no way round.
         */
        minorDefectMaxRefundBp: basisPoints.default(5_000),
        /** The key evidence a buyer supplies before the platform intervenes, per reason (rule 4). */
        keyEvidence: z
          .record(z.nativeEnum(CaseReason), z.array(z.nativeEnum(EvidenceKind)).max(5))
          .default(() => DEFAULT_KEY_EVIDENCE),
      })
      .strict(),
    highRepurchase: z
      .object({
        windowDays: days,
        minBuyers: count,
        repeatBuyerRateBp: basisPoints,
        refundOnlySubsidyMonthlyCap: fen,
        lateShipmentMonthlyCap: fen,
      })
      .strict(),
    returnShipping: z
      .object({
        standardCap: fen,
        largeOrderCap: fen,
        largeOrderMinPaid: fen,
        largeOrderTiers: z.array(z.nativeEnum(MerchantTier)),
        superBuyerCap: fen,
        /** Douyin: adjusted compensation for high-refund buyers (ours: 10 yuan); MALICIOUS buyers get none. */
        highRiskBuyerCap: fen.default(1_000),
      })
      .strict(),
    disputeCompensation: z.object({ rateBp: basisPoints, cap: fen }).strict(),
    transitLossCap: fen,
    techServiceFee: z.object({ rateBp: basisPoints, cap: fen }).strict(),
    priceErrorCompensation: fen,
    /** A no-threshold coupon for a buyer whose after-sales case found the merchant at fault (ours: 5 yuan). */
    buyerExperienceCoupon: fen.default(500),
    smallMerchantCouponCap: fen,
    growthIncentive: z.object({ baseRateBp: basisPoints, sprintMultiplier: z.number().int().min(1).max(100) }).strict(),
    lowPriceWarning: z.object({ windowDays: days, belowMedianBp: basisPoints }).strict(),
    appealSla: z.object({ standardHours: hours, greenChannelHours: hours }).strict(),
    /** Appeals (ours): evidence each kind needs, the merchant's time to answer a request, the compensation cap. */
    appeals: z
      .object({
        evidence: z.record(z.nativeEnum(AppealKind), z.array(z.nativeEnum(EvidenceKind)).max(5)),
        answerHours: hours,
        compensationCap: fen,
      })
      .strict()
      .default(() => ({ evidence: DEFAULT_APPEAL_EVIDENCE, answerHours: 48, compensationCap: 100_000 })),
    topBandMinExperienceScore: scoreTenths,
    /** Added after version 1: versions stored before it read the defaults. */
    trust: trustSchema.default(() => DEFAULT_TRUST_NUMBERS),
    /** Clearing is prudent: the days between a warning and a restriction or clearance (ours: 7). */
    merchantStatus: z.object({ remedyWindowDays: days }).strict().default({ remedyWindowDays: 7 }),
    /** 1688: a higher monthly refund-only subsidy for these tiers (ours: 1,000 yuan). */
    tierBenefits: z
      .object({ tiers: z.array(z.nativeEnum(MerchantTier)), refundOnlySubsidyMonthlyCap: fen })
      .strict()
      .default({ tiers: [MerchantTier.STRENGTH, MerchantTier.SUPER_FACTORY], refundOnlySubsidyMonthlyCap: 100_000 }),
    /** The logistics transfer fee the platform pays per order to a remote region (ours: 15 yuan). */
    remoteTransferFee: fen.default(1_500),
  })
  .strict();

export type PolicyNumbers = z.infer<typeof policyNumbersSchema>;
