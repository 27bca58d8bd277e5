import { Property } from '@mikro-orm/core';
import { BaseEntity, timestampColumn } from './base.entity';

/**
 * What every state-machine history row records besides the two states: who moved it, why, and when
 * it happened (which platforms may back-date; `createdAt` is when it was recorded).
 */
export abstract class StatusChangeRecord extends BaseEntity {
  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Property({ type: 'text' })
  reason!: string;

  @Property(timestampColumn())
  changedAt!: Date;
}
