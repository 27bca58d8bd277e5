import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type UserError, UserInputFailure } from '../graphql/user-error';
import type { RequestContext } from '../server/context';

const ATTEMPTS = 3;

/**
 * Runs a mutation in one transaction, as the application role in the actor's tenant (so row-level
 * security applies to every statement). A `UserInputFailure` rolls everything back and becomes the
 * payload's userErrors. A unique-key race with a concurrent request (two upserts of the same new key)
 * is retried: the retry sees the other request's row and takes the update path.
 */
export async function runMutation<R extends object>(
  ctx: RequestContext,
  work: (em: EntityManager) => Promise<R>,
): Promise<Partial<R> & { userErrors: UserError[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ctx.db.transaction(work);
      return { userErrors: [], ...result };
    } catch (error) {
      if (error instanceof UserInputFailure) return { userErrors: error.userErrors } as Partial<R> & { userErrors: UserError[] };
      if (error instanceof UniqueConstraintViolationException && attempt < ATTEMPTS) {
        ctx.db.em.clear();
        continue;
      }
      throw error;
    }
  }
}
