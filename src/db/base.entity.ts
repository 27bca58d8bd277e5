import { randomUUID } from 'node:crypto';
import { BigIntType, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Ids are generated in the application so batched inserts need no round trip for keys. */
export abstract class BaseEntity<Optional = never> {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | Optional;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

// Column options are functions because MikroORM writes into the options object it is given.

/** Integer fen in a PostgreSQL bigint, mapped to a JS number (exact up to 2^53 fen). */
export const fenColumn = () => ({ type: new BigIntType('number'), columnType: 'bigint' }) as const;

export const timestampColumn = () => ({ type: 'datetime', columnType: 'timestamptz' }) as const;
