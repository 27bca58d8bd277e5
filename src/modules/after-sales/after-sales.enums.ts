import { registerEnumType } from 'type-graphql';
import { CaseReason, EvidenceKind } from '../../shared/enums';

export { CaseReason, EvidenceKind };

export enum CaseType {
  REFUND_ONLY = 'REFUND_ONLY',
  RETURN_REFUND = 'RETURN_REFUND',
  EXCHANGE = 'EXCHANGE',
}
registerEnumType(CaseType, {
  name: 'CaseType',
  description: 'REFUND_ONLY: 仅退款 (before or after receipt). RETURN_REFUND: 退货退款. EXCHANGE: 换货.',
});

registerEnumType(CaseReason, { name: 'CaseReason' });

export enum CaseStatus {
  OPENED = 'OPENED',
  NEGOTIATING = 'NEGOTIATING',
  INTERVENTION_REQUESTED = 'INTERVENTION_REQUESTED',
  UNDER_REVIEW = 'UNDER_REVIEW',
  RULED = 'RULED',
  CLOSED = 'CLOSED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(CaseStatus, { name: 'CaseStatus' });

export enum CaseRuling {
  REFUND_FULL = 'REFUND_FULL',
  REFUND_PARTIAL = 'REFUND_PARTIAL',
  REJECTED = 'REJECTED',
}
registerEnumType(CaseRuling, { name: 'CaseRuling' });

registerEnumType(EvidenceKind, { name: 'EvidenceKind' });

export enum CaseParty {
  BUYER = 'BUYER',
  MERCHANT = 'MERCHANT',
  PLATFORM = 'PLATFORM',
}
registerEnumType(CaseParty, { name: 'CaseParty' });

/** What the platform does with a refund-only claim when intervention is asked for. */
export enum InterventionOutcome {
  PLATFORM_REVIEWS = 'PLATFORM_REVIEWS',
  MERCHANT_DECIDES = 'MERCHANT_DECIDES',
  WAITING_FOR_NEGOTIATION = 'WAITING_FOR_NEGOTIATION',
  WAITING_FOR_EVIDENCE = 'WAITING_FOR_EVIDENCE',
  NO_REFUND_ONLY_SUPPORT = 'NO_REFUND_ONLY_SUPPORT',
  REFUND_ONLY_SUSPENDED = 'REFUND_ONLY_SUSPENDED',
  ABOVE_PLATFORM_CAP = 'ABOVE_PLATFORM_CAP',
}
registerEnumType(InterventionOutcome, {
  name: 'InterventionOutcome',
  description:
    'PLATFORM_REVIEWS: an arbitrator reviews and rules. MERCHANT_DECIDES: the merchant’s autonomy (score band). ' +
    'WAITING_FOR_NEGOTIATION: minor defect, intervention waits the policy’s window. WAITING_FOR_EVIDENCE: key ' +
    'evidence is missing. NO_REFUND_ONLY_SUPPORT: malicious buyer; the merchant may ask for intervention. ' +
    'REFUND_ONLY_SUSPENDED: a circuit breaker tripped. ABOVE_PLATFORM_CAP: above the amount the platform ' +
    'intervenes on by itself; the merchant may ask.',
});

/** The refund-only rules of DOMAIN.md, as they are cited in a decision's rationale. */
export enum RefundOnlyRule {
  MALICIOUS_BUYER = 'MALICIOUS_BUYER',
  MERCHANT_AUTONOMY = 'MERCHANT_AUTONOMY',
  MINOR_DEFECT = 'MINOR_DEFECT',
  KEY_EVIDENCE = 'KEY_EVIDENCE',
  PLATFORM_INTERVENTION_CAP = 'PLATFORM_INTERVENTION_CAP',
  CIRCUIT_BREAKER = 'CIRCUIT_BREAKER',
  REPURCHASE_SUBSIDY = 'REPURCHASE_SUBSIDY',
}
registerEnumType(RefundOnlyRule, {
  name: 'RefundOnlyRule',
  description:
    'Rules 1-7 of refund-only handling: malicious buyer, autonomy, minor defect, key evidence, cap, breakers, subsidy.',
});

export enum BreakerSubject {
  BUYER = 'BUYER',
  MERCHANT = 'MERCHANT',
  PRODUCT = 'PRODUCT',
}
registerEnumType(BreakerSubject, { name: 'BreakerSubject' });
