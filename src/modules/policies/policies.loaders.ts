import DataLoader from 'dataloader';
import type { TenantDb } from '../../db/tenant-db';
import { PolicyVersion } from './policy.entity';

export function createPolicyLoaders(db: TenantDb) {
  return {
    /** One key ('all'): the policy timeline, read once per request. */
    timeline: new DataLoader<'all', PolicyVersion[]>(async (keys) => {
      const rows = await db.read((run) => run(db.knex()('policy_version as t').select('t.*').orderBy(['t.effective_from', 't.version'])));
      const timeline = rows.map((row) => db.map(PolicyVersion, row));
      return keys.map(() => timeline);
    }),
  };
}
