import DataLoader from 'dataloader';
import { templated } from '../../db/read-statements';
import type { Loaders } from '../../db/session';
import { loaderSet } from '../../graphql/loaders';
import { type PolicySnapshot, versionInForce } from './policies.rules';
import { snapshotOf } from './policies.snapshots';
import type { PolicyNumbers } from './policy.schema';

export const createPolicyLoaders = loaderSet({
  /** One key ('all'): the policy timeline, read once per request. */
  timeline: (db) =>
    new DataLoader<'all', PolicySnapshot[]>(async (keys) => {
      const rows = await db.read((run) =>
        run(
          templated(
            'policies.timeline',
            () => db.knex()('policy_version as t').select('t.*').orderBy(['t.effective_from', 't.version']),
            {},
          ),
        ),
      );
      const timeline = rows.map(snapshotOf);
      lastRead = timeline;
      return keys.map(() => timeline);
    }),
});

/** The timeline this process read last: a guess at the request's, which reads loaders can check. */
let lastRead: PolicySnapshot[] | undefined;

/**
 * `read` with a number of the policy in force (a window's days), without waiting for the request's
 * timeline: started at once with the number of the timeline this process read last, so it travels in
 * the same message as the timeline itself, and checked against the request's own timeline when that
 * arrives — read again with the right number when they differ (a version was published or took
 * effect since). The answer is always the one for the version in force.
 */
export async function withNumberInForce<T>(
  policyNow: () => Promise<PolicySnapshot>,
  pick: (numbers: PolicyNumbers) => number,
  read: (value: number) => Promise<T>,
): Promise<T> {
  if (!lastRead) return read(pick((await policyNow()).numbers));
  const guess = pick(versionInForce(lastRead, new Date()).numbers);
  const [guessed, policy] = await Promise.all([read(guess), policyNow()]);
  const value = pick(policy.numbers);
  return value === guess ? guessed : read(value);
}

/** The policy version in force now, through the request's timeline loader: for other modules' loaders. */
export function policyInForce(loaders: Loaders): () => Promise<PolicySnapshot> {
  return async () => versionInForce(await loaders.policies.timeline.load('all'), new Date());
}

declare module '../../db/session' {
  interface Loaders {
    policies: ReturnType<typeof createPolicyLoaders>;
  }
}
