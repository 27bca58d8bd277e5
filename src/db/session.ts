import type { MikroORM } from '@mikro-orm/postgresql';
import { TenantDb } from './tenant-db';
import type { Session } from './transaction';

/** A session of the platform itself (CLI, jobs): every tenant, recorded under `actor`. */
export function platformSession(orm: MikroORM, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: true, merchantId: null }), actor };
}

/** A session acting as one merchant outside a request (demo data, scripts): its own rows only. */
export function merchantSession(orm: MikroORM, merchantId: string, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: false, merchantId }), actor };
}
