import { Check, Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { StatusChangeRecord } from '../../db/status-change.entity';
import { BaseEntity, fenColumn, timestampColumn } from '../../db/base.entity';
import { MerchantStatus, MerchantTier, Province } from '../../shared/enums';

@Entity({ tableName: 'merchant' })
@Check({ name: 'merchant_deposit_non_negative', expression: 'deposit >= 0' })
// Keyset pagination orders by (sort column, id).
@Index({ properties: ['name', 'id'] })
@Index({ properties: ['createdAt', 'id'] })
export class Merchant extends BaseEntity<'status' | 'deposit'> {
  /** The platform's own shop id; upserts are keyed on it. */
  @Property({ type: 'string', length: 64, unique: true })
  externalId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Index()
  @Enum({ items: () => MerchantTier, type: 'string' })
  tier!: MerchantTier;

  @Index()
  @Enum({ items: () => MerchantStatus, type: 'string' })
  status: MerchantStatus = MerchantStatus.ACTIVE;

  @Index()
  @Property({ type: 'string', length: 100 })
  mainCategory!: string;

  @Index()
  @Enum({ items: () => Province, type: 'string' })
  region!: Province;

  /** Store deposit (保证金) in fen. */
  @Property(fenColumn())
  deposit: number = 0;
}

/**
 * One row per status change, so a clearance can be traced to its warning and its reason. A penalty
 * (a move to a harsher status) can be appealed; an upheld appeal marks it reversed.
 */
@Entity({ tableName: 'merchant_status_change' })
export class MerchantStatusChange extends StatusChangeRecord {
  @ManyToOne(() => Merchant, { index: true, deleteRule: 'cascade' })
  merchant!: Merchant;

  @Enum({ items: () => MerchantStatus, type: 'string', nullable: true })
  fromStatus?: MerchantStatus | null;

  @Enum({ items: () => MerchantStatus, type: 'string' })
  toStatus!: MerchantStatus;

  @Property({ ...timestampColumn(), nullable: true })
  reversedAt?: Date | null = null;

  /** The appeal whose upholding reversed it (the appeals module's id; no foreign key across modules). */
  @Property({ type: 'uuid', nullable: true })
  reversedByAppealId?: string | null = null;
}
