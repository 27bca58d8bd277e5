import { Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { StatusChangeType } from '../../graphql/common.types';
import { ConnectionType } from '../../graphql/connection';
import { YuanAmountScalar } from '../../graphql/money';
import { Node, registerNodeEntity } from '../../graphql/node';
import { UserError } from '../../graphql/user-error';
import type { FieldReads } from '../../db/tenant-db';
import { EvidenceKind, Province } from '../../shared/enums';
import { Appeal } from './appeals.entity';
import { AppealChannel, AppealKind, AppealStatus, AppealSubjectType } from './appeals.enums';

registerNodeEntity(Appeal, 'Appeal');

/**
 * What the Appeal fields that are no column of their own read (see `ORDER_FIELD_READS`): the subject's
 * global id needs its type too; the lists read by the appeal's id alone.
 */
export const APPEAL_FIELD_READS: FieldReads = {
  subjectId: ['subjectType', 'subjectId'],
  evidence: [],
  statusHistory: [],
  postings: [],
};

@ObjectType('Appeal', { implements: Node, description: 'A merchant’s appeal (申诉) and its review.' })
export class AppealNode extends Node {
  @Field(() => AppealKind) kind!: AppealKind;
  @Field(() => AppealSubjectType) subjectType!: AppealSubjectType;
  @Field(() => AppealStatus) status!: AppealStatus;
  @Field(() => AppealChannel) channel!: AppealChannel;
  @Field(() => String) statement!: string;
  @Field(() => Date) submittedAt!: Date;
  @Field(() => Date, { description: 'The review is due by then (policy appealSla, by channel).' }) reviewDueAt!: Date;
  @Field(() => Date, { nullable: true, description: 'While NEEDS_EVIDENCE: answer by then.' })
  evidenceDueAt?: Date | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
  @Field(() => Boolean, { description: 'The review deadline passed without a decision.' }) escalated!: boolean;
  @Field(() => Int, { description: 'Raised by the SLA timer when the review is overdue.' }) priority!: number;
  @Field(() => String, { nullable: true, description: 'Why it was upheld or rejected.' }) decisionReason?:
    string | null;
  @Field(() => String, { nullable: true, description: 'The policy clause a rejection rests on.' }) decisionClause?:
    string | null;
  @Field(() => Date, { nullable: true }) decidedAt?: Date | null;
  @Field(() => Int, { nullable: true, description: 'The policy version the decision applied (its clause and caps).' })
  policyVersion?: number | null;
}

export const AppealStatusChangeNode = StatusChangeType('AppealStatusChange', AppealStatus, {
  description: 'One move of the appeal state machine.',
  fromStatus: 'Null for the entry written when the appeal was filed.',
});

@ObjectType('AppealEvidence')
export class AppealEvidenceNode {
  @Field(() => EvidenceKind) kind!: EvidenceKind;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => Date) suppliedAt!: Date;
}

@ObjectType('AppealRequirements', { description: 'What an appeal of a kind must carry, from the policy in force.' })
export class AppealRequirementsView {
  @Field(() => AppealKind) kind!: AppealKind;
  @Field(() => [EvidenceKind]) required!: EvidenceKind[];
  @Field(() => Int) policyVersion!: number;
}

export const AppealConnection = ConnectionType('Appeal', AppealNode);

@InputType()
export class AppealFilterInput {
  @Field(() => [AppealStatus], { nullable: true }) status?: AppealStatus[] | null;
  @Field(() => [AppealKind], { nullable: true }) kind?: AppealKind[] | null;
  @Field(() => [AppealChannel], { nullable: true }) channel?: AppealChannel[] | null;
  @Field(() => ID, { nullable: true }) merchantId?: string | null;
  @Field(() => String, { nullable: true }) assignee?: string | null;
}

@InputType()
export class AppealEvidenceInput {
  @Field(() => EvidenceKind) kind!: EvidenceKind;
  @Field(() => String, { nullable: true })
  @Length(1, 2000)
  url?: string | null;
  @Field(() => String, { nullable: true })
  @Length(1, 5000)
  text?: string | null;
}

@InputType()
export class FileAppealInput {
  @Field(() => ID) merchantId!: string;
  @Field(() => AppealKind) kind!: AppealKind;
  @Field(() => AppealSubjectType) subjectType!: AppealSubjectType;
  @Field(() => ID, { description: 'The global id of the order, case, score event or status change.' })
  subjectId!: string;
  @Field(() => String) statement!: string;
  @Field(() => [AppealEvidenceInput]) evidence!: AppealEvidenceInput[];
}

@InputType()
export class AppealIdInput {
  @Field(() => ID) appealId!: string;
}

@InputType()
export class AssignAppealInput extends AppealIdInput {
  @Field(() => String, { nullable: true, description: 'Default: the arbitrator calling.' }) assignee?: string | null;
}

@InputType()
export class AppealReasonInput extends AppealIdInput {
  @Field(() => String)
  @Length(1, 2000)
  reason!: string;
}

@InputType()
export class AnswerAppealInput extends AppealIdInput {
  @Field(() => [AppealEvidenceInput]) evidence!: AppealEvidenceInput[];
}

@InputType()
export class DecideAppealInput extends AppealReasonInput {
  @Field(() => Boolean) upheld!: boolean;
  @Field(() => String, { nullable: true, description: 'The policy clause a rejection rests on (required then).' })
  clause?: string | null;
  @Field(() => YuanAmountScalar, {
    nullable: true,
    description:
      'Upheld, on an order: paid to the merchant, within appeals.compensationCap for the order across all its appeals.',
  })
  compensation?: number | null;
}

@ObjectType()
export class AppealPayload {
  @Field(() => AppealNode, { nullable: true }) appeal?: Appeal | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}

@ObjectType('ForceMajeureReport', {
  description: 'A force-majeure report (报备): late shipments it covers cost no score.',
})
export class ForceMajeureReportNode {
  @Field(() => Province) region!: Province;
  @Field(() => Date) startsAt!: Date;
  @Field(() => Date) endsAt!: Date;
  @Field(() => String) reason!: string;
  @Field(() => Date) createdAt!: Date;
}

@InputType()
export class ReportForceMajeureInput {
  @Field(() => ID) merchantId!: string;
  @Field(() => Province, { description: 'Where the merchant ships from, or where its orders go.' }) region!: Province;
  @Field(() => Date) startsAt!: Date;
  @Field(() => Date, { description: 'Not in the past; at most 30 days after startsAt.' }) endsAt!: Date;
  @Field(() => String)
  @Length(1, 2000)
  reason!: string;
}

@ObjectType()
export class ReportForceMajeurePayload {
  @Field(() => ForceMajeureReportNode, { nullable: true }) report?: ForceMajeureReportNode | null;
  @Field(() => [UserError]) userErrors!: UserError[];
}
