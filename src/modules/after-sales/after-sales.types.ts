import { IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { StatusChangeType } from '../../graphql/common.types';
import { ConnectionType } from '../../graphql/connection';
import { Money, YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import { SalesPlatform } from '../../shared/enums';
import { AfterSalesCase } from './after-sales.entity';
import {
  BreakerSubject,
  CaseParty,
  CaseReason,
  CaseRuling,
  CaseStatus,
  CaseType,
  EvidenceKind,
  InterventionOutcome,
  RefundOnlyRule,
} from './after-sales.enums';
import { OpenOutcome } from './after-sales.service';

registerNodeEntity(AfterSalesCase, 'AfterSalesCase');
registerEnumType(OpenOutcome, { name: 'OpenCaseOutcome' });

@ObjectType('AfterSalesCase', {
  implements: Node,
  description: 'An after-sales case (售后) on an order: the claim, its negotiation, the decision and the ruling.',
})
export class AfterSalesCaseNode extends Node {
  @Field(() => SalesPlatform)
  platform!: SalesPlatform;

  @Field(() => String, { description: "The platform's case number; unique per platform." })
  externalNumber!: string;

  @Field(() => CaseType)
  type!: CaseType;

  @Field(() => CaseReason)
  reason!: CaseReason;

  @Field(() => Boolean, { description: 'Claimed after the buyer received the goods.' })
  afterReceipt!: boolean;

  @Field(() => Boolean, { description: 'The return goes through official logistics pickup.' })
  officialPickup!: boolean;

  @Field(() => CaseStatus)
  status!: CaseStatus;

  @Field(() => CaseRuling, { nullable: true })
  ruling?: CaseRuling | null;

  @Field(() => String, { nullable: true, description: "The arbitrator's reason for the ruling." })
  rulingReason?: string | null;

  @Field(() => Date)
  openedAt!: Date;

  @Field(() => Date, { nullable: true })
  ruledAt?: Date | null;
}

export const CaseStatusChangeNode = StatusChangeType('CaseStatusChange', CaseStatus, {
  description: 'One move of the case state machine.',
  fromStatus: 'Null for the entry written when the case was opened.',
});

@ObjectType('CaseEvidence', { description: 'Evidence on a case; what the buyer supplies is shared with the merchant.' })
export class CaseEvidenceNode {
  @Field(() => EvidenceKind) kind!: EvidenceKind;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => CaseParty) suppliedBy!: CaseParty;
  @Field(() => Date) suppliedAt!: Date;
}

@ObjectType('CaseMessage', { description: 'A message of the negotiation.' })
export class CaseMessageNode {
  @Field(() => CaseParty) author!: CaseParty;
  @Field(() => String) body!: string;
  @Field(() => Date) sentAt!: Date;
}

@ObjectType('AppliedRule', {
  description: 'A rule that applied to a decision, with its policy clause and the numbers.',
})
export class AppliedRuleView {
  @Field(() => RefundOnlyRule) rule!: RefundOnlyRule;
  @Field(() => String, {
    description: 'The policy number (or rule) it applied, e.g. refundOnly.platformInterventionCap.',
  })
  clause!: string;
  @Field(() => Int) policyVersion!: number;
  @Field(() => String, { description: 'The numbers it compared, e.g. "250.00 yuan > 200.00 yuan".' })
  compared!: string;
}

@ObjectType('InterventionDecision', {
  description: 'What the platform does when intervention is asked for, and why (refund-only rules 1-7).',
})
export class InterventionDecisionView {
  @Field(() => InterventionOutcome) outcome!: InterventionOutcome;
  @Field(() => [AppliedRuleView], { description: 'Every rule that applied, in the order they were checked.' })
  rulesApplied!: AppliedRuleView[];
  @Field(() => Boolean, { description: 'False for a minor defect (rule 3).' }) fullRefundAllowed!: boolean;
  @Field(() => Boolean, { description: 'False for a malicious buyer or a tripped breaker (rules 1, 6).' })
  refundOnlySupported!: boolean;
  @Field(() => [EvidenceKind], { description: 'Key evidence the buyer has still to supply (rule 4).' })
  missingEvidence!: EvidenceKind[];
  @Field(() => Date, { nullable: true, description: 'Intervention not before (rule 3).' }) interveneAfter?: Date | null;
  @Field(() => Boolean, { description: "A refund draws on the merchant's monthly refund-only subsidy (rule 7)." })
  drawsRepurchaseSubsidy!: boolean;
  @Field(() => Int) policyVersion!: number;
  @Field(() => Date) decidedAt!: Date;
}

@ObjectType('RefundOnlyBreaker', {
  description: 'A refund-only circuit breaker (熔断): refund-only stops at or above the threshold over the window.',
})
export class RefundOnlyBreakerView {
  @Field(() => BreakerSubject) subject!: BreakerSubject;
  @Field(() => Int, { description: 'Refund-only cases opened in the window.' }) refundOnly!: number;
  @Field(() => Int, { description: 'Orders paid in the window.' }) sample!: number;
  @Field(() => Int, { description: 'refundOnly / sample in basis points.' }) rateBp!: number;
  @Field(() => Int) thresholdBp!: number;
  @Field(() => Int) minSample!: number;
  @Field(() => Boolean) tripped!: boolean;
  @Field(() => Int) windowDays!: number;
}

export const AfterSalesCaseConnection = ConnectionType('AfterSalesCase', AfterSalesCaseNode);

@InputType()
export class CaseFilter {
  @Field(() => [CaseStatus], { nullable: true }) status?: CaseStatus[] | null;
  @Field(() => [CaseType], { nullable: true }) type?: CaseType[] | null;
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => ID, { nullable: true }) orderId?: string | null;
}

@InputType()
export class EvidenceItemInput {
  @Field(() => EvidenceKind) kind!: EvidenceKind;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 2000)
  url?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 5000)
  text?: string | null;
}

@InputType()
export class OpenCaseInput {
  @Field(() => SalesPlatform) platform!: SalesPlatform;
  @Field(() => String) externalNumber!: string;
  @Field(() => ID) orderId!: string;
  @Field(() => ID, { nullable: true, description: 'The product claimed; default the first line of the order.' })
  productId?: string | null;
  @Field(() => CaseType) type!: CaseType;
  @Field(() => CaseReason) reason!: CaseReason;
  @Field(() => Boolean, { nullable: true, description: 'Default: whether the order was delivered.' })
  afterReceipt?: boolean | null;
  @Field(() => YuanAmountScalar, { description: 'At most what is still refundable on the order.' })
  requestedAmount!: number;
  @Field(() => Boolean, { nullable: true }) officialPickup?: boolean | null;
  @Field(() => Date, { nullable: true, description: 'Default now; never in the future.' }) openedAt?: Date | null;
  @Field(() => [EvidenceItemInput], { nullable: true, description: "The buyer's evidence sent with the claim." })
  evidence?: EvidenceItemInput[] | null;
}

@ObjectType()
export class OpenCaseResult {
  @Field(() => Int) index!: number;
  @Field(() => String) externalNumber!: string;
  @Field(() => OpenOutcome) outcome!: OpenOutcome;
  @Field(() => AfterSalesCaseNode, { nullable: true }) afterSalesCase?: AfterSalesCase | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType()
export class OpenAfterSalesCasesPayload {
  @Field(() => [OpenCaseResult], { description: 'One result per input item, in input order.' })
  results!: OpenCaseResult[];
  @Field(() => Int) createdCount!: number;
  @Field(() => Int) duplicateCount!: number;
  @Field(() => Int) rejectedCount!: number;
  @Field(() => [UserError], { description: 'Errors of the whole call; item errors are on each result.' })
  userErrors!: UserError[];
}

@ObjectType()
export class CasePayload {
  @Field(() => AfterSalesCaseNode, { nullable: true }) afterSalesCase?: AfterSalesCase | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@InputType()
export class AddCaseEvidenceInput extends EvidenceItemInput {
  @Field(() => ID) caseId!: string;
  @Field(() => CaseParty, {
    nullable: true,
    description: 'Staff relay the BUYER (default) or speak as PLATFORM; a merchant is always MERCHANT.',
  })
  suppliedBy?: CaseParty | null;
}

@InputType()
export class AddCaseMessageInput {
  @Field(() => ID) caseId!: string;
  @Field(() => CaseParty, { nullable: true, description: 'As for evidence: a merchant is always MERCHANT.' })
  author?: CaseParty | null;
  @Field(() => String)
  @MaxLength(5000)
  body!: string;
}

@InputType()
export class CaseIdInput {
  @Field(() => ID) caseId!: string;
}

@InputType({
  description: "A merchant's own decision on a buyer's refund-only claim within its autonomy (refund-only rule 2).",
})
export class DecideRefundOnlyInput {
  @Field(() => ID) caseId!: string;
  @Field(() => CaseRuling) ruling!: CaseRuling;
  @Field(() => YuanAmountScalar, {
    nullable: true,
    description: 'For REFUND_PARTIAL: more than 0, less than requested.',
  })
  refundAmount?: number | null;
  @Field(() => String)
  @Length(1, 2000)
  reason!: string;
}

@InputType()
export class RuleOnCaseInput extends DecideRefundOnlyInput {
  @Field(() => YuanAmountScalar, {
    nullable: true,
    description:
      'Return shipping paid by the buyer (official pickup): subsidised by the platform, capped by the policy.',
  })
  returnShippingCost?: number | null;
}

@InputType()
export class WithdrawCaseInput {
  @Field(() => ID) caseId!: string;
  @Field(() => String)
  @Length(1, 2000)
  reason!: string;
}

@ObjectType('ChangedDecision', { description: 'A case whose decision differs under the draft policy.' })
export class ChangedDecisionView {
  @Field(() => AfterSalesCaseNode) afterSalesCase!: AfterSalesCase;
  @Field(() => InterventionDecisionView) current!: InterventionDecisionView;
  @Field(() => InterventionDecisionView) draft!: InterventionDecisionView;
}

@ObjectType('PolicySimulation', {
  description: "Past cases' decisions replayed under a draft policy, from the facts each decision kept.",
})
export class PolicySimulationView {
  @Field(() => Int, { description: 'The version number the draft would get.' }) policyVersion!: number;
  @Field(() => Int) casesReplayed!: number;
  @Field(() => Int) decisionsChanged!: number;
  @Field(() => Money, { description: 'High-repurchase refund-only subsidy of the ruled cases, capped per month.' })
  subsidyCostCurrent!: Money;
  @Field(() => Money) subsidyCostDraft!: Money;
  @Field(() => [ChangedDecisionView], { description: 'The first changed cases, oldest first.' })
  changed!: ChangedDecisionView[];
}

@ObjectType()
export class SimulatePolicyPayload {
  @Field(() => PolicySimulationView, { nullable: true }) simulation?: PolicySimulationView | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
