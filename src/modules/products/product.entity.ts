import { Check, Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity, fenColumn, timestampColumn } from '../../db/base.entity';
import { Merchant } from '../merchants/merchant.entity';

@Entity({ tableName: 'product' })
@Unique({ properties: ['merchant', 'externalId'] })
@Check({ name: 'product_price_non_negative', expression: 'current_price >= 0' })
@Index({ properties: ['merchant', 'createdAt', 'id'] })
export class Product extends BaseEntity {
  @ManyToOne(() => Merchant)
  merchant!: Merchant;

  /** The merchant's own product code; unique per merchant. */
  @Property({ type: 'string', length: 64 })
  externalId!: string;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Index()
  @Property({ type: 'string', length: 100 })
  category!: string;

  @Property(fenColumn())
  currentPrice!: number;
}

/** Every price a product has had, newest last; the low-price warning compares against it. */
@Entity({ tableName: 'product_price' })
@Index({ properties: ['product', 'effectiveFrom'] })
export class ProductPrice extends BaseEntity {
  @ManyToOne(() => Product, { deleteRule: 'cascade' })
  product!: Product;

  @Property(fenColumn())
  price!: number;

  @Property(timestampColumn())
  effectiveFrom!: Date;
}
