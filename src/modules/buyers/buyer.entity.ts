import { Entity, Index, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../db/base.entity';

@Entity({ tableName: 'buyer' })
export class Buyer extends BaseEntity<'superBuyer' | 'malicious'> {
  @Property({ type: 'string', length: 64, unique: true })
  externalId!: string;

  @Property({ type: 'string', length: 100 })
  nickname!: string;

  /** 超级买家: large annual purchases. */
  @Property({ type: 'boolean' })
  superBuyer: boolean = false;

  /** Tagged by risk review (abusive refund-only, fake evidence, ...). */
  @Index()
  @Property({ type: 'boolean' })
  malicious: boolean = false;
}
