import { Length } from 'class-validator';
import { JSONObjectResolver } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/money';
import { UserError } from '../../graphql/user-error';
import { AppealKind, CaseReason, EvidenceKind, MerchantTier, Province } from '../../shared/enums';
import { type PolicyNumbers, ScoreFactor } from './policy.schema';

registerEnumType(ScoreFactor, { name: 'ScoreFactor', description: 'What moved a score.' });

const score = (tenths: number) => (tenths / 10).toFixed(1);

@ObjectType()
class ReplyPolicy {
  @Field(() => Int) withinMinutes!: number;
  @Field(() => Int, { description: 'Basis points: 8000 = 80%.' }) minRateBp!: number;
}

@ObjectType()
class CircuitBreakerPolicy {
  @Field(() => Int) windowDays!: number;
  @Field(() => Int) buyerRateBp!: number;
  @Field(() => Int) merchantRateBp!: number;
  @Field(() => Int) productRateBp!: number;
  @Field(() => Int) buyerMinSample!: number;
  @Field(() => Int) merchantMinSample!: number;
  @Field(() => Int) productMinSample!: number;
}

@ObjectType({
  description: 'Rule 2, graded autonomy: claims up to these amounts the merchant of a band decides itself.',
})
class BandAutonomyPolicy {
  @Field(() => Money) high!: Money;
  @Field(() => Money) medium!: Money;
  @Field(() => Money) low!: Money;
  @Field(() => Money) new!: Money;
}

@ObjectType({ description: 'Rule 4: the key evidence a buyer supplies for a reason before the platform intervenes.' })
class CaseEvidenceRequirement {
  @Field(() => CaseReason) reason!: CaseReason;
  @Field(() => [EvidenceKind]) evidence!: EvidenceKind[];
}

@ObjectType({ description: 'The evidence an appeal of a kind must carry.' })
class AppealEvidenceRequirement {
  @Field(() => AppealKind) kind!: AppealKind;
  @Field(() => [EvidenceKind]) evidence!: EvidenceKind[];
}

@ObjectType()
class AppealsPolicy {
  @Field(() => [AppealEvidenceRequirement]) evidence!: AppealEvidenceRequirement[];
  @Field(() => Int, { description: 'How long a merchant has to answer an evidence request.' }) answerHours!: number;
  @Field(() => Money, { description: 'The most upheld appeals pay on one order, all its appeals together.' })
  compensationCap!: Money;
}

@ObjectType()
class RefundOnlyPolicy {
  @Field(() => String, { description: 'Experience score from which the platform leaves refund-only to the merchant.' })
  autonomyMinExperienceScore!: string;
  @Field(() => String, {
    description: 'Integrity score (0-100) the merchant also needs for the platform to leave refund-only to it.',
  })
  autonomyMinIntegrityScore!: string;
  @Field(() => Int) interventionDelayHours!: number;
  @Field(() => Money) platformInterventionCap!: Money;
  @Field(() => CircuitBreakerPolicy) circuitBreaker!: CircuitBreakerPolicy;
  @Field(() => BandAutonomyPolicy) bandAutonomy!: BandAutonomyPolicy;
  @Field(() => [CaseEvidenceRequirement]) keyEvidence!: CaseEvidenceRequirement[];
  @Field(() => Int, {
    description: 'Rule 3: the largest partial refund of a minor defect, in basis points of the claim.',
  })
  minorDefectMaxRefundBp!: number;
}

@ObjectType()
class HighRepurchasePolicy {
  @Field(() => Int) windowDays!: number;
  @Field(() => Int) minBuyers!: number;
  @Field(() => Int) repeatBuyerRateBp!: number;
  @Field(() => Money) refundOnlySubsidyMonthlyCap!: Money;
  @Field(() => Money) lateShipmentMonthlyCap!: Money;
}

@ObjectType()
class ReturnShippingPolicy {
  @Field(() => Money) standardCap!: Money;
  @Field(() => Money) largeOrderCap!: Money;
  @Field(() => Money) largeOrderMinPaid!: Money;
  @Field(() => [MerchantTier]) largeOrderTiers!: MerchantTier[];
  @Field(() => Money) superBuyerCap!: Money;
  @Field(() => Money, { description: 'For HIGH-risk buyers; MALICIOUS buyers get no subsidy.' })
  highRiskBuyerCap!: Money;
}

@ObjectType()
class MerchantStatusPolicy {
  @Field(() => Int, { description: 'Days between a warning and a restriction or clearance.' })
  remedyWindowDays!: number;
}

@ObjectType()
class TierBenefitsPolicy {
  @Field(() => [MerchantTier]) tiers!: MerchantTier[];
  @Field(() => Money, { description: 'Monthly refund-only subsidy cap of these tiers.' })
  refundOnlySubsidyMonthlyCap!: Money;
}

@ObjectType()
class RateWithCap {
  @Field(() => Int, { description: 'Basis points: 60 = 0.6%.' }) rateBp!: number;
  @Field(() => Money) cap!: Money;
}

@ObjectType()
class GrowthIncentivePolicy {
  @Field(() => Int) baseRateBp!: number;
  @Field(() => Int) sprintMultiplier!: number;
}

@ObjectType()
class LowPriceWarningPolicy {
  @Field(() => Int) windowDays!: number;
  @Field(() => Int) belowMedianBp!: number;
}

@ObjectType()
class AppealSlaPolicy {
  @Field(() => Int) standardHours!: number;
  @Field(() => Int) greenChannelHours!: number;
}

@ObjectType()
class ScoreWeight {
  @Field(() => ScoreFactor) factor!: ScoreFactor;
  @Field(() => String, { description: 'Experience points per event.' }) experience!: string;
  @Field(() => String) integrity!: string;
  @Field(() => String) product!: string;
}

@ObjectType()
class TrustBands {
  @Field(() => String) top!: string;
  @Field(() => String) high!: string;
  @Field(() => String) medium!: string;
}

@ObjectType()
class BuyerRiskPolicy {
  @Field(() => Int) windowDays!: number;
  @Field(() => Int) minOrders!: number;
  @Field(() => String, { description: 'Risk points for a 100% refund-only rate.' }) refundOnlyRateWeight!: string;
  @Field(() => String, { description: 'Risk points per rejected claim.' }) rejectedClaimWeight!: string;
  @Field(() => String) mediumFrom!: string;
  @Field(() => String) highFrom!: string;
}

@ObjectType()
class TrustPolicy {
  @Field(() => Int) windowDays!: number;
  @Field(() => String) experienceBaseline!: string;
  @Field(() => String) integrityBaseline!: string;
  @Field(() => String) productBaseline!: string;
  @Field(() => TrustBands) bands!: TrustBands;
  @Field(() => [ScoreWeight]) weights!: ScoreWeight[];
  @Field(() => Int, { description: 'Orders in the window below which a merchant is NEW and has no score yet.' })
  newMerchantMinOrders!: number;
  @Field(() => String) maxManualExperience!: string;
  @Field(() => String) maxManualIntegrity!: string;
  @Field(() => BuyerRiskPolicy) buyerRisk!: BuyerRiskPolicy;
}

const points = (value: number, scale: number, decimals: number) => (value / scale).toFixed(decimals);
const experience = (value: number) => points(value, 10_000, 4);
const hundredths = (value: number) => points(value, 100, 2);

function toTrustView(t: PolicyNumbers['trust']): TrustPolicy {
  return {
    windowDays: t.windowDays,
    experienceBaseline: experience(t.experienceBaseline),
    integrityBaseline: hundredths(t.integrityBaseline),
    productBaseline: hundredths(t.productBaseline),
    bands: { top: experience(t.bands.top), high: experience(t.bands.high), medium: experience(t.bands.medium) },
    weights: Object.entries(t.weights).map(([factor, w]) => ({
      factor: factor as ScoreFactor,
      experience: experience(w.experience),
      integrity: hundredths(w.integrity),
      product: hundredths(w.product),
    })),
    newMerchantMinOrders: t.newMerchantMinOrders,
    maxManualExperience: experience(t.maxManualExperience),
    maxManualIntegrity: hundredths(t.maxManualIntegrity),
    buyerRisk: {
      ...t.buyerRisk,
      refundOnlyRateWeight: hundredths(t.buyerRisk.refundOnlyRateWeight),
      rejectedClaimWeight: hundredths(t.buyerRisk.rejectedClaimWeight),
      mediumFrom: hundredths(t.buyerRisk.mediumFrom),
      highFrom: hundredths(t.buyerRisk.highFrom),
    },
  };
}

@ObjectType('PolicyNumbers', { description: 'Every number of the programmes. Money as Money, rates in basis points.' })
export class PolicyNumbersView {
  @Field(() => Int) shipWithinHours!: number;
  @Field(() => [Province]) remoteRegions!: Province[];
  @Field(() => ReplyPolicy) reply!: ReplyPolicy;
  @Field(() => RefundOnlyPolicy) refundOnly!: RefundOnlyPolicy;
  @Field(() => HighRepurchasePolicy) highRepurchase!: HighRepurchasePolicy;
  @Field(() => ReturnShippingPolicy) returnShipping!: ReturnShippingPolicy;
  @Field(() => RateWithCap) disputeCompensation!: RateWithCap;
  @Field(() => Money) transitLossCap!: Money;
  @Field(() => RateWithCap) techServiceFee!: RateWithCap;
  @Field(() => Money) priceErrorCompensation!: Money;
  @Field(() => Money, { description: 'No-threshold coupon for a buyer when the merchant was at fault.' })
  buyerExperienceCoupon!: Money;
  @Field(() => Money) smallMerchantCouponCap!: Money;
  @Field(() => GrowthIncentivePolicy) growthIncentive!: GrowthIncentivePolicy;
  @Field(() => LowPriceWarningPolicy) lowPriceWarning!: LowPriceWarningPolicy;
  @Field(() => AppealSlaPolicy) appealSla!: AppealSlaPolicy;
  @Field(() => String) topBandMinExperienceScore!: string;
  @Field(() => TrustPolicy, { description: 'Trust-score weights, baselines, bands and buyer-risk numbers.' })
  trust!: TrustPolicy;
  @Field(() => MerchantStatusPolicy) merchantStatus!: MerchantStatusPolicy;
  @Field(() => TierBenefitsPolicy) tierBenefits!: TierBenefitsPolicy;
  @Field(() => Money, { description: 'Logistics transfer fee per order to a remote region, paid by the platform.' })
  remoteTransferFee!: Money;
  @Field(() => AppealsPolicy) appeals!: AppealsPolicy;
}

export function toPolicyView(n: PolicyNumbers): PolicyNumbersView {
  const money = Money.fromFen;
  return {
    ...n,
    refundOnly: {
      ...n.refundOnly,
      autonomyMinExperienceScore: score(n.refundOnly.autonomyMinExperienceScore),
      autonomyMinIntegrityScore: hundredths(n.refundOnly.autonomyMinIntegrityScore),
      platformInterventionCap: money(n.refundOnly.platformInterventionCap),
      bandAutonomy: {
        high: money(n.refundOnly.bandAutonomy.high),
        medium: money(n.refundOnly.bandAutonomy.medium),
        low: money(n.refundOnly.bandAutonomy.low),
        new: money(n.refundOnly.bandAutonomy.new),
      },
      keyEvidence: Object.entries(n.refundOnly.keyEvidence).map(([reason, evidence]) => ({
        reason: reason as CaseReason,
        evidence: evidence ?? [],
      })),
    },
    highRepurchase: {
      ...n.highRepurchase,
      refundOnlySubsidyMonthlyCap: money(n.highRepurchase.refundOnlySubsidyMonthlyCap),
      lateShipmentMonthlyCap: money(n.highRepurchase.lateShipmentMonthlyCap),
    },
    returnShipping: {
      ...n.returnShipping,
      standardCap: money(n.returnShipping.standardCap),
      largeOrderCap: money(n.returnShipping.largeOrderCap),
      largeOrderMinPaid: money(n.returnShipping.largeOrderMinPaid),
      superBuyerCap: money(n.returnShipping.superBuyerCap),
      highRiskBuyerCap: money(n.returnShipping.highRiskBuyerCap),
    },
    disputeCompensation: { ...n.disputeCompensation, cap: money(n.disputeCompensation.cap) },
    transitLossCap: money(n.transitLossCap),
    techServiceFee: { ...n.techServiceFee, cap: money(n.techServiceFee.cap) },
    priceErrorCompensation: money(n.priceErrorCompensation),
    buyerExperienceCoupon: money(n.buyerExperienceCoupon),
    smallMerchantCouponCap: money(n.smallMerchantCouponCap),
    topBandMinExperienceScore: score(n.topBandMinExperienceScore),
    trust: toTrustView(n.trust),
    tierBenefits: { ...n.tierBenefits, refundOnlySubsidyMonthlyCap: money(n.tierBenefits.refundOnlySubsidyMonthlyCap) },
    remoteTransferFee: money(n.remoteTransferFee),
    appeals: {
      evidence: Object.entries(n.appeals.evidence).map(([kind, evidence]) => ({
        kind: kind as AppealKind,
        evidence: evidence ?? [],
      })),
      answerHours: n.appeals.answerHours,
      compensationCap: money(n.appeals.compensationCap),
    },
  };
}

@ObjectType('Policy', { description: 'A published version of the policy numbers; never edited.' })
export class PolicyNode {
  @Field(() => Int) version!: number;
  @Field(() => Date) effectiveFrom!: Date;
  @Field(() => String) note!: string;
  @Field(() => String) publishedBy!: string;
  @Field(() => Date) publishedAt!: Date;
}

@InputType()
export class PublishPolicyInput {
  @Field(() => Date, { nullable: true, description: 'When the version takes effect; default now. Never in the past.' })
  effectiveFrom?: Date | null;

  @Field(() => JSONObjectResolver, {
    description:
      'What changes from the version in force, as a partial document in stored units: money in fen, rates in basis ' +
      'points, scores in tenths, lists replaced whole. Example: {"techServiceFee": {"cap": 2000}}.',
  })
  changes!: Record<string, unknown>;

  @Field(() => String)
  @Length(1, 2000)
  note!: string;
}

@ObjectType()
export class PublishPolicyPayload {
  @Field(() => PolicyNode, { nullable: true })
  policy?: PolicyNode | null;

  @Field(() => [UserError])
  userErrors!: UserError[];
}
