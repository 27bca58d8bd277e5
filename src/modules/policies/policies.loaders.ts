import DataLoader from 'dataloader';
import { templated } from '../../db/read-statements';
import type { TenantDb } from '../../db/tenant-db';
import type { Loaders } from '../../server/gateway-module';
import { type PolicySnapshot, versionInForce } from './policies.rules';
import { snapshotOf } from './policies.snapshots';

export function createPolicyLoaders(db: TenantDb) {
  return {
    /** One key ('all'): the policy timeline, read once per request. */
    timeline: new DataLoader<'all', PolicySnapshot[]>(async (keys) => {
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
      return keys.map(() => timeline);
    }),
  };
}

/** The policy version in force now, through the request's timeline loader: for other modules' loaders. */
export function policyInForce(loaders: Loaders): () => Promise<PolicySnapshot> {
  return async () => versionInForce(await loaders.policies.timeline.load('all'), new Date());
}

declare module '../../server/gateway-module' {
  interface Loaders {
    policies: ReturnType<typeof createPolicyLoaders>;
  }
}
