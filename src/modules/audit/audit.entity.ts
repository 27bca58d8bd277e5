import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity, timestampColumn } from '../../db/base.entity';
import { Merchant } from '../merchants/merchant.entity';

/**
 * One platform action on a merchant's account, appended in the transaction of the action itself
 * (never reconstructed later) and never changed: the merchant's audit log.
 */
@Entity({ tableName: 'audit_entry' })
@Index({ properties: ['merchant', 'createdAt', 'id'] })
export class AuditEntry extends BaseEntity {
  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  /** What happened, e.g. CASE_RULED, LEDGER_POSTED, APPEAL_MOVED. */
  @Property({ type: 'string', length: 64 })
  action!: string;

  /** Who did it, as the history rows name actors ("ARBITRATOR:alice"). */
  @Property({ type: 'string', length: 200 })
  actor!: string;

  /** What it was about: its kind and local id. */
  @Property({ type: 'string', length: 64 })
  subjectType!: string;

  @Property({ type: 'uuid' })
  subjectId!: string;

  /** Why, in words, with the numbers. */
  @Property({ type: 'text' })
  cause!: string;

  @Property({ type: 'integer', nullable: true })
  policyVersion?: number | null;

  @Property(timestampColumn())
  occurredAt!: Date;
}
