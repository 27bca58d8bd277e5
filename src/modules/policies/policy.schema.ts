import { z } from 'zod';
import { MerchantTier, Province } from '../../shared/enums';

const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** Rates are basis points (1 bp = 0.01%), so 0.6% is 60: integers, exact. */
const basisPoints = z.number().int().min(0).max(10_000);
const hours = z.number().int().min(1).max(24 * 365);
const days = z.number().int().min(1).max(3650);
const count = z.number().int().min(0).max(1_000_000);
/** Experience scores in tenths: 4.8 is 48. */
const scoreTenths = z.number().int().min(0).max(50);

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
      })
      .strict(),
    highRepurchase: z
      .object({ windowDays: days, minBuyers: count, repeatBuyerRateBp: basisPoints, refundOnlySubsidyMonthlyCap: fen, lateShipmentMonthlyCap: fen })
      .strict(),
    returnShipping: z
      .object({
        standardCap: fen,
        largeOrderCap: fen,
        largeOrderMinPaid: fen,
        largeOrderTiers: z.array(z.nativeEnum(MerchantTier)),
        superBuyerCap: fen,
      })
      .strict(),
    disputeCompensation: z.object({ rateBp: basisPoints, cap: fen }).strict(),
    transitLossCap: fen,
    techServiceFee: z.object({ rateBp: basisPoints, cap: fen }).strict(),
    priceErrorCompensation: fen,
    smallMerchantCouponCap: fen,
    growthIncentive: z.object({ baseRateBp: basisPoints, sprintMultiplier: z.number().int().min(1).max(100) }).strict(),
    lowPriceWarning: z.object({ windowDays: days, belowMedianBp: basisPoints }).strict(),
    appealSla: z.object({ standardHours: hours, greenChannelHours: hours }).strict(),
    topBandMinExperienceScore: scoreTenths,
  })
  .strict();

export type PolicyNumbers = z.infer<typeof policyNumbersSchema>;
