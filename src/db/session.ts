import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../shared/domain-events';
import type { Clock } from '../shared/time';
import { TenantDb, type TenantScope } from './tenant-db';

/**
 * Who acts, and in which tenant: all a service needs to read and write. A GraphQL request makes one
 * from its verified actor; the CLI and jobs make their own.
 */
export interface Session {
  db: TenantDb;
  /** How the actor appears in history rows and postings, e.g. "RISK:alice". */
  actor: string;
  /** The wall clock unless a test moves time. */
  clock?: Clock;
}

/** One mutation's transaction: its EntityManager, who acts, and the events it emits. */
export interface Tx {
  em: EntityManager;
  actor: string;
  scope: TenantScope;
  /** The time of the session's clock (services read it here, not from `new Date()`). */
  now(): Date;
  /** Runs the events' blocking handlers now, in this transaction; their after-commit handlers after commit. */
  emit(...events: DomainEvent[]): Promise<void>;
  /**
   * Runs `work` once, last in the transaction, after the mutation and every handler are done (the
   * live feed sends one notification per transaction this way). The same key registers once.
   */
  beforeCommit(key: string, work: () => Promise<void>): void;
}

/** A session of the platform itself (CLI, jobs): every tenant, recorded under `actor`. */
export function platformSession(orm: MikroORM, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: true, merchantId: null }), actor };
}

/** A session acting as one merchant outside a request (demo data, scripts): its own rows only. */
export function merchantSession(orm: MikroORM, merchantId: string, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: false, merchantId }), actor };
}
