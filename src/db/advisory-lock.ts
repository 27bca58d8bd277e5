import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Runs `work` while holding a transaction-scoped PostgreSQL advisory lock named `name`: replicas that
 * start together take turns at set-up steps that are not safe to run concurrently (migrations, job
 * queue creation). `work` uses its own connections; the lock's transaction only holds the lock.
 */
export async function exclusively<T>(orm: MikroORM, name: string, work: () => Promise<T>): Promise<T> {
  return orm.em.getKnex().transaction(async (lock) => {
    await lock.raw('select pg_advisory_xact_lock(hashtext(?))', [name]);
    return work();
  });
}
