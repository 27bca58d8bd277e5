import { Entity, Enum, Index, ManyToOne, OneToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { timestampColumn } from '../../db/base.entity';
import { Buyer } from '../buyers/buyer.entity';
import { Merchant } from '../merchants/merchant.entity';
import { Order } from '../orders/order.entity';
import { PolicyVersion } from '../policies/policy.entity';
import { Product } from '../products/product.entity';
import { RiskLevel, ScoreFactor, TrustBand } from './trust.enums';

/**
 * One fact that moves scores, with the deltas it caused under the policy in force when it happened.
 * Append-only: a void is another event with the same factor and opposite deltas, linked to it.
 * Experience deltas are in ten-thousandths of a point, integrity and product deltas in hundredths.
 */
@Entity({ tableName: 'score_event' })
@Index({ properties: ['merchant', 'occurredAt'] })
@Index({ properties: ['buyer', 'occurredAt'] })
@Index({ properties: ['product', 'occurredAt'] })
@Index({ properties: ['merchant', 'createdAt', 'id'] })
export class ScoreEvent {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Enum({ items: () => ScoreFactor, type: 'string' })
  factor!: ScoreFactor;

  @ManyToOne(() => Merchant, { nullable: true })
  merchant?: Merchant | null;

  @ManyToOne(() => Product, { nullable: true })
  product?: Product | null;

  @ManyToOne(() => Buyer, { nullable: true })
  buyer?: Buyer | null;

  @ManyToOne(() => Order, { nullable: true, index: true })
  order?: Order | null;

  @Property({ type: 'uuid', nullable: true })
  caseId?: string | null;

  @Property({ type: 'uuid', nullable: true })
  appealId?: string | null;

  @Property({ type: 'integer' })
  experienceDelta!: number;

  @Property({ type: 'integer' })
  integrityDelta!: number;

  @Property({ type: 'integer' })
  productDelta!: number;

  /** +1 for a fact, -1 for its void: counts of facts net out like the deltas. */
  @Property({ type: 'integer' })
  countDelta!: number;

  @ManyToOne(() => PolicyVersion, { fieldName: 'policy_version', index: true })
  policyVersion!: PolicyVersion;

  @OneToOne(() => ScoreEvent, { nullable: true, owner: true, unique: true })
  voids?: ScoreEvent | null;

  /** When the fact happened; a void takes the time of the event it voids, so windows drop both together. */
  @Property(timestampColumn())
  occurredAt!: Date;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property(timestampColumn())
  createdAt: Date = new Date();
}

/** A merchant's current scores, kept with each event so rules read them without summing history. */
@Entity({ tableName: 'merchant_score' })
export class MerchantScore {
  [OptionalProps]?: 'computedAt';

  @OneToOne(() => Merchant, { primary: true, owner: true })
  merchant!: Merchant;

  @Property({ type: 'integer' })
  experience!: number;

  @Property({ type: 'integer' })
  integrity!: number;

  @Enum({ items: () => TrustBand, type: 'string' })
  band!: TrustBand;

  @Property(timestampColumn())
  computedAt: Date = new Date();
}

@Entity({ tableName: 'product_score' })
export class ProductScore {
  [OptionalProps]?: 'computedAt';

  @OneToOne(() => Product, { primary: true, owner: true })
  product!: Product;

  @Property({ type: 'integer' })
  experience!: number;

  @Property(timestampColumn())
  computedAt: Date = new Date();
}

@Entity({ tableName: 'buyer_risk' })
export class BuyerRisk {
  [OptionalProps]?: 'computedAt';

  @OneToOne(() => Buyer, { primary: true, owner: true })
  buyer!: Buyer;

  /** Hundredths: 0 to 10000. */
  @Property({ type: 'integer' })
  score!: number;

  @Enum({ items: () => RiskLevel, type: 'string' })
  level!: RiskLevel;

  @Property({ type: 'json', columnType: 'jsonb' })
  reasons!: string[];

  @Property(timestampColumn())
  computedAt: Date = new Date();
}
