import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantDb } from './tenant-db';
import type { Session } from './transaction';

/** A session of the platform itself (CLI, jobs): every tenant, recorded under `actor`. */
export function platformSession(orm: MikroORM, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: true, merchantId: null }), actor };
}
