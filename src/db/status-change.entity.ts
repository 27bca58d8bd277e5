import { type EntityClass, Property } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BaseEntity, timestampColumn } from './base.entity';
import { nextStamp } from './stamps';

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

export interface Move<S extends string> {
  to: S;
  actor: string;
  reason: string;
  at: Date;
}

/**
 * The one way a state machine moves: the history row (from, to, actor, reason, time) is written and
 * the subject's status set, in the caller's transaction. The caller has checked the move against its
 * transition table. A subject entering its first state has `status` undefined and records from null.
 */

export function recordTransition<S extends string, H extends StatusChangeRecord>(
  em: EntityManager,
  history: EntityClass<H>,
  owner: { key: string; subject: { status: S } },
  move: Move<S>,
  initial = false,
): H {
  const row = em.create(history, {
    [owner.key]: owner.subject,
    fromStatus: initial ? null : owner.subject.status,
    toStatus: move.to,
    actor: move.actor,
    reason: move.reason,
    changedAt: move.at,
    createdAt: nextStamp(),
  } as never);
  owner.subject.status = move.to;
  return row;
}
