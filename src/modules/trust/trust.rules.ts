import type { PolicyNumbers } from '../policies/policy.schema';
import { RiskLevel, ScoreFactor, TrustBand } from './trust.enums';

type Trust = PolicyNumbers['trust'];

export const EXPERIENCE_SCALE = 10_000; // ten-thousandths of a point
export const EXPERIENCE_MAX = 5 * EXPERIENCE_SCALE;
export const HUNDREDTHS_MAX = 10_000; // 100.00

const clamp = (value: number, max: number) => Math.min(max, Math.max(0, value));

export interface Deltas {
  experience: number;
  integrity: number;
  product: number;
}

/** The deltas a fact causes under a policy; factors without a weight move nothing. */
export function deltasOf(factor: ScoreFactor, trust: Trust): Deltas {
  return trust.weights[factor] ?? { experience: 0, integrity: 0, product: 0 };
}

/** A merchant's scores from the sums of its event deltas inside the window: baseline plus sum, clamped. */
export function merchantScores(sums: { experience: number; integrity: number }, trust: Trust) {
  const experience = clamp(trust.experienceBaseline + sums.experience, EXPERIENCE_MAX);
  const integrity = clamp(trust.integrityBaseline + sums.integrity, HUNDREDTHS_MAX);
  return { experience, integrity, band: bandOf(experience, trust) };
}

export function productScore(sum: number, trust: Trust): number {
  return clamp(trust.productBaseline + sum, HUNDREDTHS_MAX);
}

const TENTH = EXPERIENCE_SCALE / 10;

/**
 * The experience score as shown: one decimal, half up, in integer arithmetic (4.75 → 4.8, 4.7499 →
 * 4.7). The band is judged on this same number, so what a merchant sees and its band never disagree.
 */
export function shownExperience(experience: number): number {
  return Math.floor((experience + TENTH / 2) / TENTH) * TENTH;
}

export function bandOf(experience: number, trust: Trust): TrustBand {
  const shown = shownExperience(experience);
  if (shown >= trust.bands.top) return TrustBand.TOP;
  if (shown >= trust.bands.high) return TrustBand.HIGH;
  if (shown >= trust.bands.medium) return TrustBand.MEDIUM;
  return TrustBand.LOW;
}

/**
 * What a merchant's scores say: none yet for a new merchant with fewer orders in the window than the
 * policy's minimum (band NEW, Douyin's fast track for merchants without a score), else the scores.
 */
export function standing(
  scores: { experience: number; integrity: number },
  ordersInWindow: number,
  trust: Trust,
): { experience: number | null; integrity: number; band: TrustBand } {
  if (ordersInWindow < trust.newMerchantMinOrders)
    return { experience: null, integrity: scores.integrity, band: TrustBand.NEW };
  return { ...scores, band: bandOf(scores.experience, trust) };
}

export interface BuyerFacts {
  orders: number;
  refundOnly: number;
  rejectedClaims: number;
  malicious: boolean;
}

/**
 * Buyer risk in hundredths (0-100): the refund-only rate, weighted, once the buyer has the minimum
 * number of orders; rejected claims; a MALICIOUS tag is the maximum.
 */
export function buyerRisk(facts: BuyerFacts, trust: Trust): { score: number; level: RiskLevel; reasons: string[] } {
  const p = trust.buyerRisk;
  const reasons: string[] = [];
  let score = 0;
  if (facts.malicious) {
    score = HUNDREDTHS_MAX;
    reasons.push('tagged MALICIOUS by risk review');
  }
  if (facts.orders >= p.minOrders && facts.refundOnly > 0) {
    const rateBp = Math.round((facts.refundOnly * 10_000) / facts.orders);
    score += Math.round((rateBp * p.refundOnlyRateWeight) / 10_000);
    reasons.push(
      `refund-only on ${facts.refundOnly} of ${facts.orders} orders (${(rateBp / 100).toFixed(1)}%) in ${p.windowDays} days`,
    );
  } else if (facts.refundOnly > 0) {
    reasons.push(`${facts.refundOnly} refund-only requests, but fewer than ${p.minOrders} orders to judge a rate`);
  }
  if (facts.rejectedClaims > 0) {
    score += facts.rejectedClaims * p.rejectedClaimWeight;
    reasons.push(`${facts.rejectedClaims} claims rejected in ${p.windowDays} days`);
  }
  score = clamp(score, HUNDREDTHS_MAX);
  const level = score >= p.highFrom ? RiskLevel.HIGH : score >= p.mediumFrom ? RiskLevel.MEDIUM : RiskLevel.LOW;
  return { score, level, reasons };
}

/**
 * High repurchase (高回头率) from order data: enough distinct buyers in the policy's window, and
 * enough of them bought again. Subsidies and the green appeal channel depend on it.
 */
export function isHighRepurchase(stats: { buyers: number; repeatBuyers: number }, policy: PolicyNumbers): boolean {
  const { minBuyers, repeatBuyerRateBp } = policy.highRepurchase;
  return stats.buyers >= minBuyers && stats.repeatBuyers * 10_000 >= repeatBuyerRateBp * stats.buyers;
}

/** Decimal text of a scaled integer: experience 46875 → "4.6875"; shown with one decimal: "4.7". */
export function formatScaled(value: number, scale: number, decimals: number): string {
  return (value / scale).toFixed(decimals);
}

/** Parses a signed decimal ("-0.25") into the scale's integer units; null when not exact at that scale. */
export function parseScaled(text: string, scale: number): number | null {
  if (!/^-?\d{1,6}(\.\d{1,6})?$/.test(text)) return null;
  const value = Number(text) * scale;
  const rounded = Math.round(value);
  return Math.abs(value - rounded) < 1e-6 ? rounded : null;
}
