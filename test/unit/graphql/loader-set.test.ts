import { describe, expect, it } from 'vitest';
import type { Loaders } from '../../../src/db/session';
import type { TenantDb } from '../../../src/db/tenant-db';
import { loaderSet } from '../../../src/graphql/loaders';

describe('a module’s loader set', () => {
  const made: string[] = [];
  const create = loaderSet({
    byId: (db) => (made.push('byId'), { db }),
    byMerchant: (_db, loaders) => (made.push('byMerchant'), { loaders }),
  });
  const db = {} as TenantDb;
  const loaders = {} as Loaders;

  it('makes each loader the first time a request uses it, once, from that request’s db and loaders', () => {
    made.length = 0;
    const set = create(db, loaders);
    expect(made).toEqual([]);
    const byId = set.byId;
    expect(set.byId).toBe(byId);
    expect(byId.db).toBe(db);
    expect(made).toEqual(['byId']);
    expect(set.byMerchant.loaders).toBe(loaders);
    expect(made).toEqual(['byId', 'byMerchant']);
  });

  it('gives a loader the set it belongs to, so it can build on a sibling', () => {
    const withSibling = loaderSet({
      byId: () => ({}),
      byFields: (_db, _loaders, own: { byId: object }) => ({ byId: own.byId }),
    });
    const set = withSibling(db, loaders);
    expect(set.byFields.byId).toBe(set.byId);
    expect(withSibling(db, loaders).byFields.byId).not.toBe(set.byId);
  });

  it('never shares a loader between two requests', () => {
    made.length = 0;
    const first = create(db, loaders).byId;
    const second = create({} as TenantDb, loaders).byId;
    expect(second).not.toBe(first);
    expect(made).toEqual(['byId', 'byId']);
  });
});
