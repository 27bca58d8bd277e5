import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, SortDirection, SortInputType } from '../../graphql/connection';
import { AuditAction, AuditSubjectType } from './audit.enums';

@ObjectType('AuditEntry', { description: 'One platform action on the merchant’s account, recorded as it happened.' })
export class AuditEntryNode {
  @Field(() => String, {
    description:
      'CASE_OPENED, CASE_DECISION, CASE_RULED, APPEAL_MOVED, LEDGER_POSTED, SCORE_EVENT, STATUS_CHANGED, WARNING_RAISED, FORCE_MAJEURE_REPORTED.',
    deprecationReason: 'Use `kind`, the same value as an enum.',
  })
  action!: string;
  @Field(() => AuditAction, { description: 'What the line records.' })
  kind!: AuditAction;
  @Field(() => String) actor!: string;
  @Field(() => String, { deprecationReason: 'Use `subjectKind`, the same value as an enum.' })
  subjectType!: string;
  @Field(() => AuditSubjectType, { description: 'What it was about.' })
  subjectKind!: AuditSubjectType;
  @Field(() => String, { description: 'The local id of what it was about.' }) subjectId!: string;
  @Field(() => String) cause!: string;
  @Field(() => Int, { nullable: true }) policyVersion?: number | null;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => Date, { description: 'When it was recorded; the log is in this order.' }) createdAt!: Date;
}

export const AuditEntryConnection = ConnectionType('AuditEntry', AuditEntryNode);

export enum AuditEntrySortField {
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(AuditEntrySortField, { name: 'AuditEntrySortField' });

export const AuditEntrySort = SortInputType('AuditEntry', AuditEntrySortField, SortDirection.DESC);
export type AuditEntrySort = InstanceType<typeof AuditEntrySort>;
