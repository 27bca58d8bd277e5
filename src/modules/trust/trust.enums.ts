import { registerEnumType } from 'type-graphql';
import { ScoreFactor } from '../policies/policy.schema';

export enum TrustBand {
  TOP = 'TOP',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
  /** Too few orders in the window for a score (policy: trust.newMerchantMinOrders). */
  NEW = 'NEW',
}
registerEnumType(TrustBand, {
  name: 'TrustBand',
  description:
    'Experience-score band, judged on the score as shown (one decimal); TOP (≥ 4.8 by default) decides refund-only ' +
    'autonomy; NEW: too few orders for a score yet.',
});

export enum RiskLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(RiskLevel, { name: 'RiskLevel' });

/** Facts about a buyer rather than a merchant. */
export const BUYER_FACTORS: readonly ScoreFactor[] = [ScoreFactor.REFUND_ONLY_REQUESTED, ScoreFactor.CLAIM_REJECTED];

export { ScoreFactor };
