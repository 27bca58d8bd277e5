import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../shared/domain-events';
import type { Clock } from '../shared/time';
import type { ReadStatement } from './read-statements';
import type { Row, TenantDb, TenantScope } from './tenant-db';

/**
 * Each module's loaders, by key. Empty here: every module declares its own key beside its loader factory
 * (`declare module '../../db/session' { interface Loaders { … } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

/**
 * What every service function takes first, as Vendure passes its `RequestContext`: who acts and in
 * which tenant, the clock, the EntityManager and reads to use, and the loaders. A GraphQL request,
 * a job run and a CLI command each build one (`server/context.ts`); a mutation's transaction derives
 * its `Tx` from it.
 */
export interface ServiceContext {
  /** The tenant's database: reads outside a transaction, and the transactions themselves. */
  readonly db: TenantDb;
  /** The transaction's EntityManager inside one; the context's own fork outside. */
  readonly em: EntityManager;
  /** How the actor appears in history rows and postings, e.g. "RISK:alice". */
  readonly actorLabel: string;
  /** The tenant the statements run in (the platform's inside `asPlatform`). */
  readonly scope: TenantScope;
  /** The wall clock unless a test moves time. */
  readonly clock: Clock;
  /** The time of the context's clock (services read it here, not from `new Date()`). */
  now(): Date;
  /** The reads (nulls skipped): in one message inside a transaction, one round trip each outside. */
  read<R extends readonly (Read<unknown> | null)[]>(...reads: R): Promise<ReadResults<R>>;
  /** What this transaction has read and reads again; null outside a transaction. */
  readonly memo: TransactionMemo | null;
  /** Per-request loaders over the tenant's reads: outside a transaction only (they would not see its writes). */
  readonly loaders: Loaders;
}

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

/** The context inside a mutation's transaction: what it writes, the events it emits, its last steps. */
export interface Tx extends ServiceContext {
  readonly memo: TransactionMemo;
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
  /** Runs the events' blocking handlers now, in this transaction; their after-commit handlers after commit. */
  emit(...events: DomainEvent[]): Promise<void>;
  /**
   * Runs `work` once, last in the transaction, after the mutation and every handler are done, with
   * the transaction in its own scope (the audit log writes one insert and the live feed one
   * notification per transaction this way). The same key registers once.
   */
  beforeCommit(key: string, work: (tx: Tx) => Promise<void>): void;
}

/**
 * Per transaction, the rows it has read and reads again (a ruling's coupon and rebate both read the
 * order with its buyer and the merchant): one map per slot, each owned by the module whose table it
 * holds. The owner keeps an entry current when its transaction writes the row (or forgets it), and
 * `asPlatform` clears the memo at each change of scope, so an entry is only ever answered to the scope
 * that read it. Outside a transaction a context has no memo: every read goes to the database.
 */
export class TransactionMemo {
  private readonly slots = new Map<string, Map<string, unknown>>();
  /** Slots every scope reads alike (the policy timeline): kept when the scope changes. */
  private readonly everyScope = new Set<string>();

  private slot<V>(name: string): Map<string, V> {
    let entries = this.slots.get(name);
    if (!entries) this.slots.set(name, (entries = new Map()));
    return entries as Map<string, V>;
  }

  /** The entry for `id` in `slot`, if the transaction has read it. */
  get<V>(slot: string, id: string): V | undefined {
    return this.slot<V>(slot).get(id);
  }

  /** Remembers rows the transaction read another way (with a lock), as `memoizedRead` would have. */
  remember<V extends { id: string }>(slot: string, rows: readonly V[]): void {
    const entries = this.slot<V>(slot);
    for (const row of rows) entries.set(row.id, row);
  }

  /** Sets the entry for `id` in `slot`; `everyScope` when every scope reads the same value. */
  set<V>(slot: string, id: string, value: V, everyScope = false): void {
    this.slot<V>(slot).set(id, value);
    if (everyScope) this.everyScope.add(slot);
  }

  /** Drops the entry for `id` in `slot` (its row was written in a way the owner does not follow). */
  forget(slot: string, id: string): void {
    this.slots.get(slot)?.delete(id);
  }

  /** Drops what depends on the scope: the transaction's scope changes. */
  clear(): void {
    for (const slot of this.slots.keys()) if (!this.everyScope.has(slot)) this.slots.delete(slot);
  }

  /**
   * `read(ids)` through the memo: the ids the transaction has read already answer from it, the rest are
   * read (one read, as `read` builds it) and remembered. Nothing is sent when every id is remembered.
   */
  read<V extends { id: string }>(
    slot: string,
    ids: readonly string[],
    read: (missing: readonly string[]) => Read<V[]>,
  ): Read<V[]> {
    const entries = this.slot<V>(slot);
    const missing = ids.filter((id) => !entries.has(id));
    const answer = () => ids.flatMap((id) => entries.get(id) ?? []);
    if (!missing.length) return { statements: [], parse: answer };
    const { statements, parse } = read(missing);
    return {
      statements,
      parse(results) {
        for (const row of parse(results)) entries.set(row.id, row);
        return answer();
      },
    };
  }
}

/** `read(ids)` through the context's memo, or straight to the database outside a transaction. */
export function memoizedRead<V extends { id: string }>(
  ctx: ServiceContext,
  slot: string,
  ids: readonly string[],
  read: (missing: readonly string[]) => Read<V[]>,
): Read<V[]> {
  return ctx.memo ? ctx.memo.read(slot, ids, read) : read(ids);
}
