import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity, fenColumn, timestampColumn } from '../../db/base.entity';
import { StatusChangeRecord } from '../../db/status-change.entity';
import { EvidenceKind, Province } from '../../shared/enums';
import { Merchant } from '../merchants/merchant.entity';
import { AppealChannel, AppealKind, AppealStatus, AppealSubjectType } from './appeals.enums';

/** A merchant's appeal (申诉) against how the platform treated it. Unlimited; one open per subject. */
@Entity({ tableName: 'appeal' })
@Index({ properties: ['merchant', 'submittedAt', 'id'] })
@Index({ properties: ['reviewDueAt', 'id'] })
@Index({
  name: 'appeal_one_open_per_subject',
  expression: `create unique index "appeal_one_open_per_subject" on "appeal" ("subject_type", "subject_id") where status not in ('UPHELD', 'REJECTED', 'WITHDRAWN')`,
})
export class Appeal extends BaseEntity<'priority' | 'escalated'> {
  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  @Enum({ items: () => AppealKind, type: 'string' })
  kind!: AppealKind;

  @Enum({ items: () => AppealSubjectType, type: 'string' })
  subjectType!: AppealSubjectType;

  /** The contested order, case, score event or status change (owned by its module). */
  @Property({ type: 'uuid' })
  subjectId!: string;

  /** The order behind the subject, when there is one: what an upheld appeal pays for. */
  @Property({ type: 'uuid', nullable: true })
  orderId?: string | null;

  @Property({ type: 'text' })
  statement!: string;

  @Enum({ items: () => AppealStatus, type: 'string' })
  status!: AppealStatus;

  @Enum({ items: () => AppealChannel, type: 'string' })
  channel!: AppealChannel;

  @Property(timestampColumn())
  submittedAt!: Date;

  @Property(timestampColumn())
  reviewDueAt!: Date;

  /** While NEEDS_EVIDENCE: the merchant answers by then. */
  @Property({ ...timestampColumn(), nullable: true })
  evidenceDueAt?: Date | null;

  @Property({ type: 'string', length: 200, nullable: true })
  assignee?: string | null;

  /** Raised each time the review deadline passes without a decision (the SLA timer). */
  @Property({ type: 'integer', default: 0 })
  priority: number = 0;

  /** The review deadline passed once; escalated appeals are flagged to supervisors. */
  @Property({ type: 'boolean', default: false })
  escalated: boolean = false;

  @Property({ type: 'text', nullable: true })
  decisionReason?: string | null;

  @Property({ type: 'string', length: 200, nullable: true })
  decisionClause?: string | null;

  @Property({ ...fenColumn(), nullable: true })
  compensation?: number | null;

  @Property({ type: 'integer', nullable: true })
  policyVersion?: number | null;

  @Property({ ...timestampColumn(), nullable: true })
  decidedAt?: Date | null;
}

/**
 * A force-majeure report (报备) a merchant files ahead: weather or a lockdown in a region for a time
 * window. Late shipments it covers record no deduction.
 */
@Entity({ tableName: 'force_majeure_report' })
@Index({ properties: ['merchant', 'endsAt'] })
export class ForceMajeureReport extends BaseEntity {
  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  @Enum({ items: () => Province, type: 'string' })
  region!: Province;

  @Property(timestampColumn())
  startsAt!: Date;

  @Property(timestampColumn())
  endsAt!: Date;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'string', length: 200 })
  actor!: string;
}

@Entity({ tableName: 'appeal_status_change' })
@Index({ properties: ['appeal', 'createdAt'] })
export class AppealStatusChange extends StatusChangeRecord {
  @ManyToOne(() => Appeal, { deleteRule: 'cascade' })
  appeal!: Appeal;

  @Enum({ items: () => AppealStatus, type: 'string', nullable: true })
  fromStatus?: AppealStatus | null;

  @Enum({ items: () => AppealStatus, type: 'string' })
  toStatus!: AppealStatus;
}

@Entity({ tableName: 'appeal_evidence' })
@Index({ properties: ['appeal', 'suppliedAt'] })
export class AppealEvidence extends BaseEntity {
  @ManyToOne(() => Appeal, { deleteRule: 'cascade' })
  appeal!: Appeal;

  @Enum({ items: () => EvidenceKind, type: 'string' })
  kind!: EvidenceKind;

  @Property({ type: 'string', length: 2000, nullable: true })
  url?: string | null;

  @Property({ type: 'text', nullable: true })
  text?: string | null;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property(timestampColumn())
  suppliedAt!: Date;
}
