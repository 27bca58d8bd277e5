import DataLoader from 'dataloader';
import { templated } from '../../db/read-statements';
import type { Row, TenantDb } from '../../db/tenant-db';
import type { Loaders } from '../../server/gateway-module';
import { type PolicySnapshot, versionInForce } from './policies.rules';
import { toSnapshot } from './policies.service';

/**
 * Parsed versions by identity. A version is never updated or deleted (a trigger and the app role's
 * grants refuse it), so its parse is reused instead of validating the whole document on every request;
 * the publication time in the key keeps versions of different databases apart.
 */
const parsed = new Map<string, PolicySnapshot>();
const MAX_PARSED = 1_000;

function snapshotOf(row: Row): PolicySnapshot {
  const key = `${row.version}|${String(row.published_at)}|${String(row.effective_from)}`;
  let snapshot = parsed.get(key);
  if (!snapshot) {
    snapshot = toSnapshot({
      version: row.version as number,
      effectiveFrom: new Date(row.effective_from as string),
      numbers: row.numbers,
      note: row.note as string,
      publishedBy: row.published_by as string,
      publishedAt: new Date(row.published_at as string),
    });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    // Shared by every request from now on: frozen, so a caller that changed it would fail loudly.
    parsed.set(key, deepFreeze(snapshot));
  }
  return snapshot;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

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
