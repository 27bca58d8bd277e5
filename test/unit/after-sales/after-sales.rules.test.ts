import { describe, expect, it } from 'vitest';
import {
  BreakerSubject,
  CaseReason,
  CaseRuling,
  CaseStatus,
  CaseType,
  EvidenceKind,
  InterventionOutcome,
  RefundOnlyRule,
} from '../../../src/modules/after-sales/after-sales.enums';
import {
  breakerReading,
  canMove,
  decideIntervention,
  type DecisionFacts,
  refundableLeft,
  rulingViolation,
} from '../../../src/modules/after-sales/after-sales.rules';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import { TrustBand } from '../../../src/modules/trust/trust.enums';

const OPENED = new Date('2026-11-20T00:00:00Z');
const HOUR = 3_600_000;
const { refundOnly } = POLICY;
const breaker = refundOnly.circuitBreaker;

function facts(overrides: { case?: Partial<DecisionFacts['case']> } & Partial<Omit<DecisionFacts, 'case'>> = {}) {
  const base: DecisionFacts = {
    case: {
      type: CaseType.REFUND_ONLY,
      reason: CaseReason.QUALITY,
      afterReceipt: true,
      requestedAmount: 15_000,
      openedAt: OPENED,
      buyerEvidence: [EvidenceKind.PHOTO, EvidenceKind.DESCRIPTION],
      requestedBy: 'BUYER',
    },
    buyer: { malicious: false },
    merchant: { band: TrustBand.LOW, experienceTenths: 40, integrityHundredths: 10_000, highRepurchase: false },
    breakers: [],
    policy: { version: 7, numbers: POLICY },
    now: new Date(OPENED.getTime() + 72 * HOUR),
  };
  return { ...base, ...overrides, case: { ...base.case, ...overrides.case } };
}
const rules = (decision: ReturnType<typeof decideIntervention>) => decision.rulesApplied.map((r) => r.rule);

describe('the intervention decision (refund-only rules 1-7)', () => {
  it('with nothing in the way, the platform reviews and the rationale lists only the evidence rule', () => {
    const decision = decideIntervention(facts());
    expect(decision.outcome).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    expect(rules(decision)).toEqual([RefundOnlyRule.KEY_EVIDENCE]);
    expect(decision.rulesApplied[0]).toMatchObject({ clause: 'refundOnly.keyEvidence.QUALITY', policyVersion: 7 });
  });

  it('rule 1: a MALICIOUS buyer gets no refund-only support; the merchant may still ask, and then the platform reviews', () => {
    const asked = decideIntervention(facts({ buyer: { malicious: true } }));
    expect(asked.outcome).toBe(InterventionOutcome.NO_REFUND_ONLY_SUPPORT);
    expect(asked.refundOnlySupported).toBe(false);
    expect(asked.rulesApplied[0].compared).toMatch(/merchant may ask/);
    const byMerchant = decideIntervention(facts({ buyer: { malicious: true }, case: { requestedBy: 'MERCHANT' } }));
    expect(byMerchant.outcome).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    expect(byMerchant.refundOnlySupported).toBe(false);
  });

  it(`rule 2: experience ${refundOnly.autonomyMinExperienceScore / 10} and integrity ${refundOnly.autonomyMinIntegrityScore / 100} and above decide themselves; one step below either does not`, () => {
    const top = decideIntervention(
      facts({
        merchant: {
          band: TrustBand.TOP,
          experienceTenths: refundOnly.autonomyMinExperienceScore,
          integrityHundredths: 10_000,
          highRepurchase: false,
        },
      }),
    );
    expect(top.outcome).toBe(InterventionOutcome.MERCHANT_DECIDES);
    expect(top.rulesApplied[0]).toMatchObject({
      rule: RefundOnlyRule.MERCHANT_AUTONOMY,
      clause: 'refundOnly.autonomyMinExperienceScore, refundOnly.autonomyMinIntegrityScore',
      compared: expect.stringContaining('4.8 ≥ 4.8 and integrity 100.00 ≥ 90.00'),
    });
    // Integrity at the threshold keeps autonomy; one hundredth below, the platform reviews again.
    const integrity = (integrityHundredths: number) =>
      decideIntervention(
        facts({
          merchant: {
            band: TrustBand.TOP,
            experienceTenths: refundOnly.autonomyMinExperienceScore,
            integrityHundredths,
            highRepurchase: false,
          },
        }),
      ).outcome;
    expect(integrity(refundOnly.autonomyMinIntegrityScore)).toBe(InterventionOutcome.MERCHANT_DECIDES);
    expect(integrity(refundOnly.autonomyMinIntegrityScore - 1)).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    const below = decideIntervention(
      facts({
        merchant: {
          band: TrustBand.HIGH,
          experienceTenths: refundOnly.autonomyMinExperienceScore - 1,
          integrityHundredths: 10_000,
          highRepurchase: false,
        },
      }),
    );
    expect(below.outcome).toBe(InterventionOutcome.PLATFORM_REVIEWS);
  });

  it(`rule 2, graded: band HIGH decides claims up to ${refundOnly.bandAutonomy.high / 100} yuan, MEDIUM up to ${refundOnly.bandAutonomy.medium / 100}`, () => {
    const high = (amount: number) =>
      decideIntervention(
        facts({
          merchant: { band: TrustBand.HIGH, experienceTenths: 46, integrityHundredths: 10_000, highRepurchase: false },
          case: { requestedAmount: amount },
        }),
      ).outcome;
    expect(high(refundOnly.bandAutonomy.high)).toBe(InterventionOutcome.MERCHANT_DECIDES);
    expect(high(refundOnly.bandAutonomy.high + 1)).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    const medium = decideIntervention(
      facts({
        merchant: { band: TrustBand.MEDIUM, experienceTenths: 43, integrityHundredths: 10_000, highRepurchase: false },
        case: { requestedAmount: refundOnly.bandAutonomy.medium },
      }),
    );
    expect(medium.rulesApplied[0].clause).toBe('refundOnly.bandAutonomy.medium');
  });

  it(`rule 3: a minor defect gets no full refund and the platform waits ${refundOnly.interventionDelayHours} h from opening`, () => {
    const at = (hours: number) =>
      decideIntervention(
        facts({ case: { reason: CaseReason.MINOR_DEFECT }, now: new Date(OPENED.getTime() + hours * HOUR) }),
      );
    const early = at(refundOnly.interventionDelayHours - 1);
    expect(early.outcome).toBe(InterventionOutcome.WAITING_FOR_NEGOTIATION);
    expect(early.interveneAfter).toEqual(new Date(OPENED.getTime() + refundOnly.interventionDelayHours * HOUR));
    expect(early.fullRefundAllowed).toBe(false);
    const later = at(refundOnly.interventionDelayHours);
    expect(later.outcome).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    expect(later.fullRefundAllowed).toBe(false);
    expect(rules(later)).toContain(RefundOnlyRule.MINOR_DEFECT);
  });

  it('rule 4: intervention waits for the key evidence of the reason and names what is missing', () => {
    const decision = decideIntervention(facts({ case: { buyerEvidence: [EvidenceKind.DESCRIPTION] } }));
    expect(decision.outcome).toBe(InterventionOutcome.WAITING_FOR_EVIDENCE);
    expect(decision.missingEvidence).toEqual([EvidenceKind.PHOTO]);
    expect(decision.rulesApplied[0].compared).toBe('needs PHOTO, DESCRIPTION; missing PHOTO');
  });

  it(`rule 5: the platform intervenes by itself up to ${refundOnly.platformInterventionCap / 100} yuan; the merchant may ask above it`, () => {
    const at = (amount: number, requestedBy: 'BUYER' | 'MERCHANT' = 'BUYER') =>
      decideIntervention(facts({ case: { requestedAmount: amount, requestedBy } })).outcome;
    expect(at(refundOnly.platformInterventionCap)).toBe(InterventionOutcome.PLATFORM_REVIEWS);
    expect(at(refundOnly.platformInterventionCap + 1)).toBe(InterventionOutcome.ABOVE_PLATFORM_CAP);
    expect(at(refundOnly.platformInterventionCap + 1, 'MERCHANT')).toBe(InterventionOutcome.PLATFORM_REVIEWS);
  });

  it(`rule 6: breakers trip at ${breaker.buyerRateBp / 100}% / ${breaker.merchantRateBp / 100}% / ${breaker.productRateBp / 100}%, not below, and not below their minimum sample`, () => {
    const merchantAt = (refunds: number, orders: number) =>
      breakerReading(BreakerSubject.MERCHANT, { refundOnly: refunds, orders }, POLICY).tripped;
    // 10% of 50 orders is 5 refund-only cases.
    expect(merchantAt(5, breaker.merchantMinSample)).toBe(true);
    expect(merchantAt(4, breaker.merchantMinSample)).toBe(false);
    // 100% of 49 orders: below the minimum sample of 50.
    expect(merchantAt(49, breaker.merchantMinSample - 1)).toBe(false);
    expect(breakerReading(BreakerSubject.BUYER, { refundOnly: 3, orders: 10 }, POLICY).tripped).toBe(true);
    expect(breakerReading(BreakerSubject.BUYER, { refundOnly: 2, orders: 10 }, POLICY).tripped).toBe(false);
    expect(
      breakerReading(BreakerSubject.BUYER, { refundOnly: 4, orders: breaker.buyerMinSample - 1 }, POLICY).tripped,
    ).toBe(false);
    expect(breakerReading(BreakerSubject.PRODUCT, { refundOnly: 3, orders: 20 }, POLICY)).toMatchObject({
      tripped: true,
      rateBp: 1_500,
      thresholdBp: breaker.productRateBp,
    });
    expect(breakerReading(BreakerSubject.PRODUCT, { refundOnly: 2, orders: 20 }, POLICY).tripped).toBe(false);

    const tripped = breakerReading(BreakerSubject.PRODUCT, { refundOnly: 3, orders: 20 }, POLICY);
    const decision = decideIntervention(facts({ breakers: [tripped] }));
    expect(decision.outcome).toBe(InterventionOutcome.REFUND_ONLY_SUSPENDED);
    expect(decision.refundOnlySupported).toBe(false);
    const byMerchant = decideIntervention(facts({ breakers: [tripped], case: { requestedBy: 'MERCHANT' } }));
    expect(byMerchant).toMatchObject({ outcome: InterventionOutcome.PLATFORM_REVIEWS, refundOnlySupported: false });
    expect(decision.rulesApplied[0]).toMatchObject({
      rule: RefundOnlyRule.CIRCUIT_BREAKER,
      clause: 'refundOnly.circuitBreaker.productRateBp',
      compared: 'product refund-only rate 15.00% (3 of 20 orders in 30 days) ≥ 15.00%, sample 20 ≥ 20',
    });
  });

  it(`rule 7: a high-repurchase merchant's quality refund-only after receipt draws on the ${POLICY.highRepurchase.refundOnlySubsidyMonthlyCap / 100} yuan monthly subsidy`, () => {
    const merchant = { band: TrustBand.LOW, experienceTenths: 40, integrityHundredths: 10_000, highRepurchase: true };
    expect(decideIntervention(facts({ merchant })).drawsRepurchaseSubsidy).toBe(true);
    expect(rules(decideIntervention(facts({ merchant })))).toContain(RefundOnlyRule.REPURCHASE_SUBSIDY);
    expect(decideIntervention(facts({ merchant, case: { afterReceipt: false } })).drawsRepurchaseSubsidy).toBe(false);
    expect(
      decideIntervention(facts({ merchant, case: { reason: CaseReason.CHANGED_MIND } })).drawsRepurchaseSubsidy,
    ).toBe(false);
  });

  it('the rationale lists every rule that applied, in order, even after the first one decided', () => {
    const decision = decideIntervention(
      facts({
        buyer: { malicious: true },
        case: {
          reason: CaseReason.MINOR_DEFECT,
          buyerEvidence: [],
          requestedAmount: refundOnly.platformInterventionCap + 100,
        },
        now: OPENED,
      }),
    );
    expect(decision.outcome).toBe(InterventionOutcome.NO_REFUND_ONLY_SUPPORT);
    expect(rules(decision)).toEqual([
      RefundOnlyRule.MALICIOUS_BUYER,
      RefundOnlyRule.MINOR_DEFECT,
      RefundOnlyRule.KEY_EVIDENCE,
      RefundOnlyRule.PLATFORM_INTERVENTION_CAP,
    ]);
  });

  it('returns and exchanges are reviewed by the platform without the refund-only rules', () => {
    const decision = decideIntervention(facts({ buyer: { malicious: true }, case: { type: CaseType.RETURN_REFUND } }));
    expect(decision).toMatchObject({ outcome: InterventionOutcome.PLATFORM_REVIEWS, rulesApplied: [] });
  });
});

describe('case moves and amounts', () => {
  it('follows the transition table', () => {
    expect(canMove(CaseStatus.OPENED, CaseStatus.INTERVENTION_REQUESTED)).toBe(true);
    // Ruled straight from OPENED only by the merchant within its autonomy; the platform reviews first.
    expect(canMove(CaseStatus.OPENED, CaseStatus.RULED)).toBe(true);
    expect(canMove(CaseStatus.OPENED, CaseStatus.UNDER_REVIEW)).toBe(false);
    expect(canMove(CaseStatus.RULED, CaseStatus.OPENED)).toBe(false);
    expect(canMove(CaseStatus.RULED, CaseStatus.WITHDRAWN)).toBe(false);
    expect(canMove(CaseStatus.WITHDRAWN, CaseStatus.OPENED)).toBe(false);
  });

  it('reserves open claims, counts refunds, frees withdrawn cases', () => {
    expect(
      refundableLeft(10_000, [
        { status: CaseStatus.OPENED, requestedAmount: 3_000 },
        { status: CaseStatus.CLOSED, requestedAmount: 5_000, refundAmount: 2_000 },
        { status: CaseStatus.WITHDRAWN, requestedAmount: 9_000 },
      ]),
    ).toBe(5_000);
  });

  it('a ruling must fit the decision: no refund where refund-only is unsupported, no full refund for a minor defect', () => {
    const decision = decideIntervention(facts({ case: { reason: CaseReason.MINOR_DEFECT } }));
    const c = { type: CaseType.REFUND_ONLY, requestedAmount: 15_000, decision };
    expect(rulingViolation(c, CaseRuling.REFUND_FULL, null, refundOnly)?.field).toBe('ruling');
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, 5_000, refundOnly)).toBeNull();
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, 15_000, refundOnly)?.field).toBe('refundAmount');
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, 0, refundOnly)?.field).toBe('refundAmount');
    expect(rulingViolation(c, CaseRuling.REJECTED, null, refundOnly)).toBeNull();
    const malicious = decideIntervention(facts({ buyer: { malicious: true } }));
    expect(rulingViolation({ ...c, decision: malicious }, CaseRuling.REFUND_PARTIAL, 100, refundOnly)?.message).toMatch(
      /MALICIOUS/,
    );
  });

  it(`rule 3 cannot be got round by a refund one fen short of full: a minor defect is refunded at most ${
    refundOnly.minorDefectMaxRefundBp / 100
  }% of the claim`, () => {
    const decision = decideIntervention(facts({ case: { reason: CaseReason.MINOR_DEFECT } }));
    const c = { type: CaseType.REFUND_ONLY, requestedAmount: 10_000, decision };
    const most = (10_000 * refundOnly.minorDefectMaxRefundBp) / 10_000;
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, 9_999, refundOnly)?.message).toMatch(/minorDefectMaxRefundBp/);
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, most + 1, refundOnly)?.field).toBe('refundAmount');
    expect(rulingViolation(c, CaseRuling.REFUND_PARTIAL, most, refundOnly)).toBeNull();
    // Not a minor defect: any partial refund short of the claim.
    const quality = decideIntervention(facts({ case: { reason: CaseReason.QUALITY } }));
    expect(rulingViolation({ ...c, decision: quality }, CaseRuling.REFUND_PARTIAL, 9_999, refundOnly)).toBeNull();
  });
});
