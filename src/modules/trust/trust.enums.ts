import { registerEnumType } from 'type-graphql';
import { ScoreFactor } from '../policies/policy.schema';

export enum TrustBand {
  TOP = 'TOP',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(TrustBand, {
  name: 'TrustBand',
  description: 'Experience-score band; TOP (≥ 4.8 by default) decides refund-only autonomy.',
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
