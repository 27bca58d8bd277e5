import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../shared/domain-events';
import { type Clock, systemClock } from '../shared/time';
import type { ReadStatement } from './read-statements';
import { type Row, TenantDb, type TenantScope } from './tenant-db';

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

/** The session's time: what its reads price and window at, as its mutations do. */
export const nowIn = (session: Session): Date => (session.clock ?? systemClock).now();

/**
 * A read for one message of several: its statements (each `;`-free) and what their rows mean. The
 * module that owns the tables writes it; another module sends it along with its own reads.
 */
export interface Read<T> {
  statements: readonly ReadStatement[];
  parse(results: Row[][]): T;
}

/** What each read of a `read` call gives (null for a read not sent). */
export type ReadResults<R extends readonly (Read<unknown> | null)[]> = {
  [K in keyof R]: R[K] extends Read<infer T> ? T : R[K] extends Read<infer T> | null ? T | null : null;
};

/** Sends reads on a transaction's connection, and its EntityManager for everything else. */
export interface Reader {
  em: EntityManager;
  /** The reads (nulls skipped) in one message, after the writes waiting, so they see them. */
  read<R extends readonly (Read<unknown> | null)[]>(...reads: R): Promise<ReadResults<R>>;
}

/** One mutation's transaction: its EntityManager, who acts, and the events it emits. */
export interface Tx extends Reader {
  em: EntityManager;
  /**
   * Queues a statement whose result nobody needs (an insert, a balance update, a NOTIFY): it goes in
   * the message of the transaction's next `read`, or in one message last before commit. Only for
   * tables the transaction reads again, if at all, through `read`; the statement runs in the scope
   * in force when it is sent (`asPlatform` sends what is queued as it enters and as it leaves the
   * platform's scope, so each statement runs in the scope that queued it).
   * A function is called when the queue is sent, for statements that gather what is queued meanwhile
   * (a batch of postings is three statements, however many postings it holds).
   */
  write(statement: ReadStatement | (() => ReadStatement[])): void;
  actor: string;
  scope: TenantScope;
  /** The time of the session's clock (services read it here, not from `new Date()`). */
  now(): Date;
  /** Runs the events' blocking handlers now, in this transaction; their after-commit handlers after commit. */
  emit(...events: DomainEvent[]): Promise<void>;
  /**
   * Runs `work` once, last in the transaction, after the mutation and every handler are done, with
   * the transaction in its own scope (the audit log writes one insert and the live feed one
   * notification per transaction this way). The same key registers once.
   */
  beforeCommit(key: string, work: (tx: Tx) => Promise<void>): void;
}

/** A session of the platform itself (CLI, jobs): every tenant, recorded under `actor`. */
export function platformSession(orm: MikroORM, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: true, merchantId: null }), actor };
}

/** A session acting as one merchant outside a request (demo data, scripts): its own rows only. */
export function merchantSession(orm: MikroORM, merchantId: string, actor: string): Session {
  return { db: new TenantDb(orm.em.fork(), { platform: false, merchantId }), actor };
}
