import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_NUMBERS as policy } from '../../../src/modules/policies/policy.defaults';
import { ScoreFactor } from '../../../src/modules/policies/policy.schema';
import { RiskLevel, TrustBand } from '../../../src/modules/trust/trust.enums';
import {
  bandOf,
  buyerRisk,
  deltasOf,
  merchantScores,
  parseScaled,
  shownExperience,
  standing,
} from '../../../src/modules/trust/trust.rules';

const trust = policy.trust;

describe('trust rules', () => {
  it('bands follow the policy on the score as shown: 4.8 and above is TOP, and 4.75 shows as 4.8', () => {
    expect(bandOf(48_000, trust)).toBe(TrustBand.TOP);
    expect(bandOf(47_500, trust)).toBe(TrustBand.TOP);
    expect(bandOf(47_499, trust)).toBe(TrustBand.HIGH);
    expect(bandOf(44_000, trust)).toBe(TrustBand.HIGH);
    expect(bandOf(40_000, trust)).toBe(TrustBand.MEDIUM);
    expect(bandOf(39_499, trust)).toBe(TrustBand.LOW);
  });

  it('one rounding rule: the shown score is one decimal, half up, in integers, and never disagrees with the band', () => {
    expect(shownExperience(47_800)).toBe(48_000);
    expect(shownExperience(47_499)).toBe(47_000);
    expect(shownExperience(44_500)).toBe(45_000);
    for (let exact = 0; exact <= 50_000; exact += 7) {
      const shownTop = shownExperience(exact) >= trust.bands.top;
      expect(bandOf(exact, trust) === TrustBand.TOP).toBe(shownTop);
    }
  });

  it('a merchant with fewer than 30 orders in the window is NEW, with no score yet', () => {
    const scores = { experience: 45_000, integrity: 10_000 };
    expect(standing(scores, 29, trust)).toEqual({ experience: null, integrity: 10_000, band: TrustBand.NEW });
    expect(standing(scores, 30, trust)).toEqual({ ...scores, band: TrustBand.HIGH });
  });

  it('scores are the baseline plus the deltas, kept inside 0-5 and 0-100', () => {
    expect(merchantScores({ experience: -1_000, integrity: -100 }, trust)).toMatchObject({
      experience: 44_000,
      integrity: 9_900,
    });
    expect(merchantScores({ experience: 99_999, integrity: 99_999 }, trust)).toMatchObject({
      experience: 50_000,
      integrity: 10_000,
    });
    expect(merchantScores({ experience: -99_999, integrity: -99_999 }, trust)).toMatchObject({
      experience: 0,
      integrity: 0,
    });
  });

  it('a late shipment costs 0.1 experience point by default; buyer facts move no merchant score', () => {
    expect(deltasOf(ScoreFactor.SHIPPED_LATE, trust).experience).toBe(-1_000);
    expect(deltasOf(ScoreFactor.REFUND_ONLY_REQUESTED, trust)).toEqual({ experience: 0, integrity: 0, product: 0 });
  });

  it('buyer risk needs the minimum sample before the refund-only rate counts; MALICIOUS is the maximum', () => {
    expect(buyerRisk({ orders: 4, refundOnly: 4, rejectedClaims: 0, malicious: false }, trust)).toMatchObject({
      score: 0,
      level: RiskLevel.LOW,
    });
    expect(buyerRisk({ orders: 5, refundOnly: 2, rejectedClaims: 0, malicious: false }, trust)).toMatchObject({
      score: 4_000,
      level: RiskLevel.MEDIUM,
    });
    expect(buyerRisk({ orders: 10, refundOnly: 7, rejectedClaims: 0, malicious: false }, trust)).toMatchObject({
      score: 7_000,
      level: RiskLevel.HIGH,
    });
    expect(buyerRisk({ orders: 0, refundOnly: 0, rejectedClaims: 0, malicious: true }, trust)).toMatchObject({
      score: 10_000,
      level: RiskLevel.HIGH,
    });
  });

  it('parses signed decimals exactly at a scale', () => {
    expect(parseScaled('-0.25', 10_000)).toBe(-2_500);
    expect(parseScaled('5', 100)).toBe(500);
    expect(parseScaled('0.00001', 10_000)).toBeNull();
    expect(parseScaled('abc', 100)).toBeNull();
  });
});
