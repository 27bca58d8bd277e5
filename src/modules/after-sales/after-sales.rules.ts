import type { PolicyNumbers } from '../policies/policy.schema';
import { yuanText } from '../../shared/money';
import { TrustBand } from '../trust/trust.enums';
import {
  BreakerSubject,
  CaseReason,
  CaseRuling,
  CaseStatus,
  CaseType,
  EvidenceKind,
  InterventionOutcome,
  RefundOnlyRule,
} from './after-sales.enums';

/** Where each state may go; WITHDRAWN and CLOSED are final. */
export const CASE_TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  // RULED straight from an open state: the merchant's own decision within its autonomy (rule 2).
  [CaseStatus.OPENED]: [
    CaseStatus.NEGOTIATING,
    CaseStatus.INTERVENTION_REQUESTED,
    CaseStatus.RULED,
    CaseStatus.WITHDRAWN,
  ],
  [CaseStatus.NEGOTIATING]: [CaseStatus.INTERVENTION_REQUESTED, CaseStatus.RULED, CaseStatus.WITHDRAWN],
  [CaseStatus.INTERVENTION_REQUESTED]: [CaseStatus.UNDER_REVIEW, CaseStatus.RULED, CaseStatus.WITHDRAWN],
  [CaseStatus.UNDER_REVIEW]: [CaseStatus.RULED, CaseStatus.WITHDRAWN],
  [CaseStatus.RULED]: [CaseStatus.CLOSED],
  [CaseStatus.CLOSED]: [],
  [CaseStatus.WITHDRAWN]: [],
};

export function canMove(from: CaseStatus, to: CaseStatus): boolean {
  return CASE_TRANSITIONS[from].includes(to);
}

/** A case that still takes evidence, messages and moves. */
export function isOpen(status: CaseStatus): boolean {
  return status !== CaseStatus.CLOSED && status !== CaseStatus.WITHDRAWN && status !== CaseStatus.RULED;
}

/**
 * What is still refundable on an order: its paid amount less what other cases refunded or still
 * claim (an open case's request is reserved until it is ruled or withdrawn).
 */
export function refundableLeft(
  paidAmount: number,
  otherCases: { status: CaseStatus; requestedAmount: number; refundAmount?: number | null }[],
): number {
  const taken = otherCases.reduce((sum, c) => {
    if (c.status === CaseStatus.WITHDRAWN) return sum;
    if (c.status === CaseStatus.RULED || c.status === CaseStatus.CLOSED) return sum + (c.refundAmount ?? 0);
    return sum + c.requestedAmount;
  }, 0);
  return Math.max(0, paidAmount - taken);
}

/** A circuit breaker's reading over the rolling window. */
export interface BreakerReading {
  subject: BreakerSubject;
  /** Refund-only cases opened in the window. */
  refundOnly: number;
  /** Orders paid in the window: the sample. */
  sample: number;
  /** refundOnly / sample in basis points (0 without orders). */
  rateBp: number;
  thresholdBp: number;
  minSample: number;
  /** At or above the threshold with at least the minimum sample. */
  tripped: boolean;
  windowDays: number;
}

const BREAKER_NUMBERS = {
  [BreakerSubject.BUYER]: { rate: 'buyerRateBp', sample: 'buyerMinSample' },
  [BreakerSubject.MERCHANT]: { rate: 'merchantRateBp', sample: 'merchantMinSample' },
  [BreakerSubject.PRODUCT]: { rate: 'productRateBp', sample: 'productMinSample' },
} as const;

export function breakerReading(
  subject: BreakerSubject,
  counts: { refundOnly: number; orders: number },
  policy: PolicyNumbers,
): BreakerReading {
  const numbers = policy.refundOnly.circuitBreaker;
  const thresholdBp = numbers[BREAKER_NUMBERS[subject].rate];
  const minSample = numbers[BREAKER_NUMBERS[subject].sample];
  // Exact comparison in integers: refundOnly / orders >= threshold / 10,000.
  const tripped =
    counts.orders > 0 && counts.orders >= minSample && counts.refundOnly * 10_000 >= thresholdBp * counts.orders;
  return {
    subject,
    refundOnly: counts.refundOnly,
    sample: counts.orders,
    rateBp: counts.orders > 0 ? Math.floor((counts.refundOnly * 10_000) / counts.orders) : 0,
    thresholdBp,
    minSample,
    tripped,
    windowDays: numbers.windowDays,
  };
}

/** One rule that applied, with the clause of the policy and the numbers it compared. */
export interface AppliedRule {
  rule: RefundOnlyRule;
  clause: string;
  policyVersion: number;
  compared: string;
}

/** The facts a decision read, kept with it so a draft policy can be replayed over past cases. */
export interface DecisionSnapshot {
  case: DecisionFacts['case'];
  buyer: DecisionFacts['buyer'];
  merchant: DecisionFacts['merchant'];
  breakerCounts: { subject: BreakerSubject; refundOnly: number; orders: number }[];
  decidedAt: Date;
}

export interface InterventionDecision {
  outcome: InterventionOutcome;
  /** May the platform rule a full refund? (rule 3: not for minor defects) */
  fullRefundAllowed: boolean;
  /** May the platform rule a refund on this refund-only claim at all? (rules 1 and 6) */
  refundOnlySupported: boolean;
  /** Key evidence the buyer still has to supply (rule 4). */
  missingEvidence: EvidenceKind[];
  /** Intervention waits until then (rule 3). */
  interveneAfter: Date | null;
  /** A refund draws on the merchant's monthly refund-only subsidy (rule 7). */
  drawsRepurchaseSubsidy: boolean;
  rulesApplied: AppliedRule[];
  policyVersion: number;
  decidedAt: Date;
  /** What it was decided on (absent on decisions replayed under a draft). */
  facts?: DecisionSnapshot;
}

export interface DecisionFacts {
  case: {
    type: CaseType;
    reason: CaseReason;
    afterReceipt: boolean;
    requestedAmount: number;
    openedAt: Date;
    /** Kinds of evidence the buyer supplied so far. */
    buyerEvidence: EvidenceKind[];
    /** Who asks for intervention: the merchant, or the platform for the buyer (platform-initiated). */
    requestedBy: 'MERCHANT' | 'BUYER';
  };
  buyer: { malicious: boolean };
  merchant: {
    band: TrustBand;
    /** The shown experience score in tenths (4.8 is 48), null for a new merchant. */
    experienceTenths: number | null;
    /** The integrity score in hundredths (100.00 is 10,000). */
    integrityHundredths: number;
    highRepurchase: boolean;
  };
  breakers: BreakerReading[];
  policy: { version: number; numbers: PolicyNumbers };
  now: Date;
}

const pct = (bp: number) => `${(bp / 100).toFixed(2)}%`;
const HOUR = 3_600_000;

/**
 * What the platform does when intervention is asked for on a case, under rules 1-7 of refund-only
 * handling, and why: every rule that applied is listed with its policy clause and the numbers it
 * compared. The first rule that stops the platform decides the outcome; the others still appear.
 * Cases other than refund-only are reviewed by the platform (rules 1-6 are about refund-only).
 */
export function decideIntervention(facts: DecisionFacts): InterventionDecision {
  const { policy, now } = facts;
  const numbers = policy.numbers.refundOnly;
  const applied: AppliedRule[] = [];
  const apply = (rule: RefundOnlyRule, clause: string, compared: string) =>
    applied.push({ rule, clause, policyVersion: policy.version, compared });
  const refundOnly = facts.case.type === CaseType.REFUND_ONLY;
  let outcome: InterventionOutcome | null = null;
  const decide = (candidate: InterventionOutcome) => (outcome ??= candidate);
  let refundOnlySupported = true;
  let fullRefundAllowed = true;
  let interveneAfter: Date | null = null;
  let missingEvidence: EvidenceKind[] = [];
  let drawsRepurchaseSubsidy = false;

  if (refundOnly) {
    // Rule 1: malicious buyers get no refund-only support; the merchant may still ask the platform.
    if (facts.buyer.malicious) {
      refundOnlySupported = false;
      apply(
        RefundOnlyRule.MALICIOUS_BUYER,
        'refund-only rule 1: buyers tagged MALICIOUS',
        'the buyer is tagged MALICIOUS: no refund-only support; the merchant may ask for intervention',
      );
      if (facts.case.requestedBy === 'BUYER') decide(InterventionOutcome.NO_REFUND_ONLY_SUPPORT);
    }

    // Rule 6: circuit breakers stop refund-only for a buyer, merchant or product above its rate.
    for (const reading of facts.breakers.filter((r) => r.tripped)) {
      refundOnlySupported = false;
      apply(
        RefundOnlyRule.CIRCUIT_BREAKER,
        `refundOnly.circuitBreaker.${reading.subject.toLowerCase()}RateBp`,
        `${reading.subject.toLowerCase()} refund-only rate ${pct(reading.rateBp)} (${reading.refundOnly} of ${reading.sample} orders in ${reading.windowDays} days) ≥ ${pct(reading.thresholdBp)}, sample ${reading.sample} ≥ ${reading.minSample}`,
      );
      // The buyer's claim stops here; the merchant may still ask the platform to settle the case.
      if (facts.case.requestedBy === 'BUYER') decide(InterventionOutcome.REFUND_ONLY_SUSPENDED);
    }

    // Rule 2: the top band decides itself; lower bands decide claims up to their graded amount.
    if (facts.case.requestedBy === 'BUYER') {
      const { experienceTenths, integrityHundredths, band } = facts.merchant;
      if (
        experienceTenths !== null &&
        experienceTenths >= numbers.autonomyMinExperienceScore &&
        integrityHundredths >= numbers.autonomyMinIntegrityScore
      ) {
        apply(
          RefundOnlyRule.MERCHANT_AUTONOMY,
          'refundOnly.autonomyMinExperienceScore, refundOnly.autonomyMinIntegrityScore',
          `experience score ${(experienceTenths / 10).toFixed(1)} ≥ ${(numbers.autonomyMinExperienceScore / 10).toFixed(1)} ` +
            `and integrity ${(integrityHundredths / 100).toFixed(2)} ≥ ${(numbers.autonomyMinIntegrityScore / 100).toFixed(2)}: ` +
            'the platform does not intervene; the merchant decides',
        );
        decide(InterventionOutcome.MERCHANT_DECIDES);
      } else {
        const key = band === TrustBand.TOP ? 'high' : (band.toLowerCase() as 'high' | 'medium' | 'low' | 'new');
        const graded = numbers.bandAutonomy[key];
        if (facts.case.requestedAmount <= graded) {
          apply(
            RefundOnlyRule.MERCHANT_AUTONOMY,
            `refundOnly.bandAutonomy.${key}`,
            `band ${band}: claims up to ${yuanText(graded)} are the merchant's to decide; ${yuanText(facts.case.requestedAmount)} ≤ ${yuanText(graded)}`,
          );
          decide(InterventionOutcome.MERCHANT_DECIDES);
        }
      }
    }

    // Rule 3: minor or hard-to-judge defects: no full refund-only, and the platform waits.
    if (facts.case.reason === CaseReason.MINOR_DEFECT) {
      fullRefundAllowed = false;
      const until = new Date(facts.case.openedAt.getTime() + numbers.interventionDelayHours * HOUR);
      const waiting = now < until;
      apply(
        RefundOnlyRule.MINOR_DEFECT,
        'refundOnly.interventionDelayHours',
        `minor defect: no full refund-only; intervention after ${numbers.interventionDelayHours} h of negotiation, ` +
          `${waiting ? `until ${until.toISOString()}` : `passed at ${until.toISOString()}`}`,
      );
      if (waiting) {
        interveneAfter = until;
        decide(InterventionOutcome.WAITING_FOR_NEGOTIATION);
      }
    }

    // Rule 4: the buyer's key evidence first; it is shared with the merchant.
    const needed = numbers.keyEvidence[facts.case.reason] ?? [];
    missingEvidence = needed.filter((kind) => !facts.case.buyerEvidence.includes(kind));
    if (needed.length) {
      apply(
        RefundOnlyRule.KEY_EVIDENCE,
        `refundOnly.keyEvidence.${facts.case.reason}`,
        missingEvidence.length
          ? `needs ${needed.join(', ')}; missing ${missingEvidence.join(', ')}`
          : `needs ${needed.join(', ')}; all supplied and shared with the merchant`,
      );
      if (missingEvidence.length) decide(InterventionOutcome.WAITING_FOR_EVIDENCE);
    }

    // Rule 5: the platform intervenes by itself only up to its cap.
    if (facts.case.requestedBy === 'BUYER' && facts.case.requestedAmount > numbers.platformInterventionCap) {
      apply(
        RefundOnlyRule.PLATFORM_INTERVENTION_CAP,
        'refundOnly.platformInterventionCap',
        `${yuanText(facts.case.requestedAmount)} > ${yuanText(numbers.platformInterventionCap)}: above what the platform intervenes on by itself`,
      );
      decide(InterventionOutcome.ABOVE_PLATFORM_CAP);
    }

    // Rule 7: high-repurchase merchants' quality refund-only after receipt draws on their subsidy.
    if (facts.merchant.highRepurchase && facts.case.afterReceipt && facts.case.reason === CaseReason.QUALITY) {
      drawsRepurchaseSubsidy = true;
      applied.push({
        rule: RefundOnlyRule.REPURCHASE_SUBSIDY,
        clause: 'highRepurchase.refundOnlySubsidyMonthlyCap',
        policyVersion: policy.version,
        compared: `high-repurchase merchant, quality refund-only after receipt: a refund draws on the monthly subsidy of ${yuanText(policy.numbers.highRepurchase.refundOnlySubsidyMonthlyCap)}`,
      });
    }
  }

  return {
    outcome: outcome ?? InterventionOutcome.PLATFORM_REVIEWS,
    fullRefundAllowed,
    refundOnlySupported,
    missingEvidence,
    interveneAfter,
    drawsRepurchaseSubsidy,
    rulesApplied: applied,
    policyVersion: policy.version,
    decidedAt: now,
  };
}

/** A stored decision's facts as they were, read back from JSON (its times come back as strings). */
export function snapshotFromJson(stored: DecisionSnapshot): DecisionSnapshot {
  return {
    ...stored,
    case: { ...stored.case, openedAt: new Date(stored.case.openedAt) },
    decidedAt: new Date(stored.decidedAt),
  };
}

/** The decision the same facts get under another policy: the breakers re-read with its thresholds. */
export function replayDecision(
  snapshot: DecisionSnapshot,
  policy: { version: number; numbers: PolicyNumbers },
): InterventionDecision {
  return decideIntervention({
    case: snapshot.case,
    buyer: snapshot.buyer,
    merchant: snapshot.merchant,
    breakers: snapshot.breakerCounts.map(({ subject, ...counts }) => breakerReading(subject, counts, policy.numbers)),
    policy,
    now: snapshot.decidedAt,
  });
}

/** Whether two decisions differ in what the platform does or allows. */
export function decisionChanged(a: InterventionDecision, b: InterventionDecision): boolean {
  return (
    a.outcome !== b.outcome ||
    a.refundOnlySupported !== b.refundOnlySupported ||
    a.fullRefundAllowed !== b.fullRefundAllowed ||
    a.drawsRepurchaseSubsidy !== b.drawsRepurchaseSubsidy
  );
}

/** Why a ruling may not be given on a case under its decision, or null when it may. */
export function rulingViolation(
  facts: { type: CaseType; requestedAmount: number; decision?: InterventionDecision | null },
  ruling: CaseRuling,
  amount: number | null,
  numbers: Pick<PolicyNumbers['refundOnly'], 'minorDefectMaxRefundBp'>,
): { field: string; message: string } | null {
  if (ruling === CaseRuling.REJECTED) {
    return amount ? { field: 'refundAmount', message: 'a rejection refunds nothing: leave refundAmount out' } : null;
  }
  const decision = facts.decision;
  if (facts.type === CaseType.REFUND_ONLY && decision && !decision.refundOnlySupported) {
    const why = decision.rulesApplied
      .filter((r) => r.rule === RefundOnlyRule.MALICIOUS_BUYER || r.rule === RefundOnlyRule.CIRCUIT_BREAKER)
      .map((r) => `${r.clause}: ${r.compared}`)
      .join('; ');
    return { field: 'ruling', message: `refund-only is not supported on this case (${why})` };
  }
  if (ruling === CaseRuling.REFUND_FULL) {
    if (amount !== null && amount !== facts.requestedAmount)
      return { field: 'refundAmount', message: 'a full refund is the requested amount: leave refundAmount out' };
    if (decision && !decision.fullRefundAllowed)
      return {
        field: 'ruling',
        message: 'a minor defect gets no full refund-only (refundOnly.interventionDelayHours)',
      };
    return null;
  }
  if (amount === null || amount <= 0 || amount >= facts.requestedAmount) {
    return {
      field: 'refundAmount',
      message: `a partial refund is more than 0 and less than the requested ${yuanText(facts.requestedAmount)}`,
    };
  }
  if (decision && !decision.fullRefundAllowed) {
    const most = Math.floor((facts.requestedAmount * numbers.minorDefectMaxRefundBp) / 10_000);
    if (amount > most)
      return {
        field: 'refundAmount',
        message:
          `a minor defect is refunded in part: at most ${numbers.minorDefectMaxRefundBp / 100}% of the requested ` +
          `${yuanText(facts.requestedAmount)}, ${yuanText(most)} (refundOnly.minorDefectMaxRefundBp)`,
      };
  }
  return null;
}

/** Whether a refund ruling puts the merchant at fault: the goods or the service were wrong. */
export function merchantAtFault(reason: CaseReason, ruling: CaseRuling): boolean {
  if (ruling === CaseRuling.REJECTED) return false;
  return [
    CaseReason.QUALITY,
    CaseReason.MINOR_DEFECT,
    CaseReason.NOT_AS_DESCRIBED,
    CaseReason.DAMAGED,
    CaseReason.WRONG_ITEM,
  ].includes(reason);
}
