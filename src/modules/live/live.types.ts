import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { AuditSubjectType } from '../audit/audit.enums';
import { LiveEventKind } from './live.events';

registerEnumType(LiveEventKind, {
  name: 'MerchantEventKind',
  description: 'What happened on a merchant’s account; the same actions as its audit log, as they commit.',
});

@ObjectType('MerchantEvent', {
  description:
    'Something that just happened on a merchant’s account (committed). Fetch the subject by its id for the details.',
})
export class MerchantEventNode {
  @Field(() => LiveEventKind) kind!: LiveEventKind;
  @Field(() => ID, { description: 'The merchant’s global id.' }) merchantId!: string;
  @Field(() => String, {
    description: 'AFTER_SALES_CASE, APPEAL, LEDGER_TRANSACTION, SCORE_EVENT, MERCHANT, WARNING, PRODUCT or ORDER.',
    deprecationReason: 'Use `subjectKind`, the same value as an enum.',
  })
  subjectType!: string;
  @Field(() => AuditSubjectType, { description: 'What it is about: `subjectId` is its global id.' })
  subjectKind!: AuditSubjectType;
  @Field(() => ID, { description: 'Global id of the subject: `node(id:)` reads it.' }) subjectId!: string;
  @Field(() => String, { description: 'One line saying what happened, as the audit log writes it.' })
  summary!: string;
  @Field(() => String, { description: 'Who did it: a role and subject, a job, or the system.' }) actor!: string;
  @Field(() => Date) occurredAt!: Date;
  @Field(() => String, {
    description: 'Its place in the merchant’s audit log: pass it as `after` when subscribing again to resume.',
  })
  cursor!: string;
}
