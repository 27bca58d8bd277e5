import { Entity, Index, JsonType, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { timestampColumn } from '../../db/base.entity';
import type { PolicyNumbers } from './policy.schema';

/** One published version of the policy numbers. Versions are never edited: a change is a new version. */
@Entity({ tableName: 'policy_version' })
@Index({ properties: ['effectiveFrom', 'version'] })
export class PolicyVersion {
  [OptionalProps]?: 'publishedAt';
  [PrimaryKeyProp]?: 'version';

  @PrimaryKey({ type: 'integer', autoincrement: false })
  version!: number;

  @Property(timestampColumn())
  effectiveFrom!: Date;

  @Property({ type: JsonType, columnType: 'jsonb' })
  numbers!: PolicyNumbers;

  @Property({ type: 'text' })
  note!: string;

  @Property({ type: 'string', length: 200 })
  publishedBy!: string;

  @Property(timestampColumn())
  publishedAt: Date = new Date();
}
