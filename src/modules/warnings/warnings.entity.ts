import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity, fenColumn, timestampColumn } from '../../db/base.entity';
import { Merchant } from '../merchants/merchant.entity';
import { Order } from '../orders/order.entity';
import { Product } from '../products/product.entity';
import { WarningKind, WarningStatus } from './warnings.enums';

/** A warning (预警) the platform raises to a merchant, with the numbers behind it. */
@Entity({ tableName: 'warning' })
@Index({ properties: ['merchant', 'raisedAt', 'id'] })
export class Warning extends BaseEntity {
  @Enum({ items: () => WarningKind, type: 'string' })
  kind!: WarningKind;

  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  @ManyToOne(() => Product, { nullable: true, index: true })
  product?: Product | null;

  @ManyToOne(() => Order, { nullable: true, index: true })
  order?: Order | null;

  @Enum({ items: () => WarningStatus, type: 'string' })
  status!: WarningStatus;

  /** What the warning says, with its numbers (the median and the share; the buyer's flags). */
  @Property({ type: 'text' })
  message!: string;

  /** A low-price warning: the price held until the merchant confirms it. */
  @Property({ ...fenColumn(), nullable: true })
  heldPrice?: number | null;

  /** A low-price warning: the product's median price over the policy's window. */
  @Property({ ...fenColumn(), nullable: true })
  medianPrice?: number | null;

  @Property({ type: 'integer' })
  policyVersion!: number;

  @Property(timestampColumn())
  raisedAt!: Date;

  @Property({ ...timestampColumn(), nullable: true })
  acknowledgedAt?: Date | null;

  @Property({ type: 'string', length: 200, nullable: true })
  acknowledgedBy?: string | null;
}
