import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { DomainEvent } from '../shared/domain-events';
import { type Outcome, Refused } from '../shared/refusal';
import { systemClock } from '../shared/time';
import { eventBus } from './events';
import type { Session, Tx } from './session';
import { enterTenant } from './tenant-db';

export type { Session, Tx } from './session';

const ATTEMPTS = 3;

/**
 * Runs a mutation in one transaction, as the application role in the actor's tenant (so row-level
 * security applies to every statement). A `Refused` rolls everything back and becomes the outcome's
 * refusals. A unique-key race with a concurrent request (two upserts of the same new key) is retried:
 * the retry sees the other request's row and takes the update path.
 */
export async function runMutation<R extends object>(
  session: Session,
  work: (tx: Tx) => Promise<R>,
): Promise<Outcome<R>> {
  const clock = session.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    const emitted: DomainEvent[] = [];
    const lastSteps = new Map<string, () => Promise<void>>();
    try {
      const result = await session.db.transaction(async (em) => {
        const tx: Tx = {
          em,
          actor: session.actor,
          scope: session.db.scope,
          now: () => clock.now(),
          emit: async (...events) => {
            emitted.push(...events);
            await eventBus.runBlocking(events, tx);
          },
          beforeCommit: (key, step) => void (lastSteps.has(key) || lastSteps.set(key, step)),
        };
        const outcome = await work(tx);
        for (const step of lastSteps.values()) await step();
        return outcome;
      });
      await eventBus.runAfterCommit(emitted);
      return { ...result, refusals: [] };
    } catch (error) {
      if (error instanceof Refused) return { refusals: error.refusals } as Outcome<R>;
      if (error instanceof UniqueConstraintViolationException && attempt < ATTEMPTS) {
        session.db.em.clear();
        continue;
      }
      throw error;
    }
  }
}

/**
 * Runs `work` in the same transaction with the platform's scope: for what the platform itself does
 * because of a tenant's mutation (it pays the compensation when a merchant voids an order), never
 * for what the tenant asked. The tenant's scope is restored afterwards, whatever happens.
 */
export async function asPlatform<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (tx.scope.platform) return work(tx);
  const platform = { platform: true, merchantId: null };
  const trx = tx.em.getTransactionContext()!;
  await enterTenant(tx.em, platform, trx);
  try {
    const result = await work({ ...tx, scope: platform });
    // Written now, while the platform's scope holds; the tenant's scope would refuse these rows.
    await tx.em.flush();
    return result;
  } finally {
    await enterTenant(tx.em, tx.scope, trx);
  }
}
