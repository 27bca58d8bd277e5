import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { countRead, recordMessage } from './query-counter';
import { filledIn, forgetPrepared, inMessage, type ReadStatement } from './read-statements';
import { connectionOf, rideInTransaction } from './riders';
import type { DomainEvent } from '../shared/domain-events';
import { type Outcome, Refused } from '../shared/refusal';
import { eventBus } from './events';
import { type Read, type ReadResults, type ServiceContext, TransactionMemo, type Tx } from './session';
import { type Row, settingsOf } from './tenant-db';

export type { ServiceContext, Tx } from './session';

const ATTEMPTS = 3;

/**
 * Runs a mutation in one transaction, as the application role in the actor's tenant (so row-level
 * security applies to every statement). A `Refused` rolls everything back and becomes the outcome's
 * refusals. A unique-key race with a concurrent request (two upserts of the same new key) is retried:
 * the retry sees the other request's row and takes the update path.
 */
export async function runMutation<R extends object>(
  ctx: ServiceContext,
  work: (tx: Tx) => Promise<R>,
): Promise<Outcome<R>> {
  for (let attempt = 1; ; attempt++) {
    const emitted: DomainEvent[] = [];
    const lastSteps = new Map<string, (tx: Tx) => Promise<void>>();
    try {
      const result = await ctx.db.transaction(async (em) => {
        const pipe = new StatementPipe(em);
        const tx: Tx = withoutLoaders<Omit<Tx, 'loaders'>>({
          ...inTransaction(ctx, em, pipe),
          write: (statement) => pipe.queue(statement),
          emit: async (...events) => {
            emitted.push(...events);
            await eventBus.runBlocking(tx, events);
          },
          beforeCommit: (key, step) => void (lastSteps.has(key) || lastSteps.set(key, step)),
        });
        const outcome = await work(tx);
        for (const step of lastSteps.values()) await step(tx);
        await pipe.sendWithCommit();
        return outcome;
      });
      await eventBus.runAfterCommit(emitted);
      return { ...result, refusals: [] };
    } catch (error) {
      if (error instanceof Refused) return { refusals: error.refusals } as Outcome<R>;
      if (error instanceof UniqueConstraintViolationException && attempt < ATTEMPTS) {
        ctx.db.em.clear();
        continue;
      }
      throw error;
    }
  }
}

/**
 * Runs `work` in a transaction that is rolled back, for what computes as a mutation would without
 * changing anything (a quote, an allowance): it reads what the mutation would read, in one snapshot.
 */
export async function runReadOnly<T>(ctx: ServiceContext, work: (ctx: ServiceContext) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await ctx.db.transaction(async (em) => {
      result = await work(withoutLoaders(inTransaction(ctx, em, new StatementPipe(em))));
      throw ROLL_BACK;
    });
  } catch (error) {
    if (error !== ROLL_BACK) throw error;
  }
  return result as T;
}

const ROLL_BACK = Symbol('roll back');

/** The context's members inside a transaction on `em`, its reads sent through `pipe`. */
function inTransaction(ctx: ServiceContext, em: EntityManager, pipe: StatementPipe) {
  const { clock } = ctx;
  return {
    db: ctx.db,
    em,
    actorLabel: ctx.actorLabel,
    scope: ctx.db.scope,
    clock,
    now: () => clock.now(),
    read: <R extends readonly (Read<unknown> | null)[]>(...reads: R) => pipe.read(...reads),
    memo: new TransactionMemo(),
  };
}

/** The request's loaders read outside the transaction and would not see its writes: reaching for them is a bug. */
function withoutLoaders<C extends Omit<ServiceContext, 'loaders'>>(members: C): C & { loaders: never } {
  return Object.defineProperty(members, 'loaders', {
    get() {
      throw new Error('loaders read outside the transaction: inside one, read with ctx.read');
    },
  }) as C & { loaders: never };
}

/**
 * Runs `work` in the same transaction with the platform's scope: for what the platform itself does
 * because of a tenant's mutation (it pays the compensation when a merchant voids an order), never
 * for what the tenant asked. The tenant's scope is restored afterwards, whatever happens.
 */
export async function asPlatform<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (tx.scope.platform) return work(tx);
  const platform = { platform: true, merchantId: null };
  // What the tenant queued goes first, in the message that enters the platform's scope.
  tx.write(settingsOf(platform));
  await tx.read();
  // Rows memoized in one scope are never answered to another.
  tx.memo.clear();
  try {
    // The same transaction under the platform's scope: everything else is the tenant's context's.
    const result = await work(Object.create(tx, { scope: { value: platform, enumerable: true } }) as Tx);
    // Written now, while the platform's scope holds; the tenant's scope would refuse these rows.
    await tx.em.flush();
    return result;
  } finally {
    // What the platform queued goes in the message that takes the tenant's scope back.
    tx.write(settingsOf(tx.scope));
    await tx.read();
    tx.memo.clear();
  }
}

/**
 * Statements sent on a transaction's own connection as one simple-protocol message: the writes
 * queued since the last message, then the reads. Inside the transaction, each runs in it as if sent
 * alone; one round trip for all.
 */
class StatementPipe {
  private queued: (ReadStatement | (() => ReadStatement[]))[] = [];

  constructor(private readonly em: EntityManager) {}

  queue(statement: ReadStatement | (() => ReadStatement[])): void {
    this.queued.push(statement);
  }

  async read<R extends readonly (Read<unknown> | null)[]>(...reads: R): Promise<ReadResults<R>> {
    const sent = reads.filter((read): read is NonNullable<typeof read> => read !== null);
    const results = await this.send(sent.flatMap((read) => read.statements));
    let next = 0;
    return reads.map((read) => {
      if (!read) return null;
      const own = results.slice(next, (next += read.statements.length));
      return read.parse(own);
    }) as ReadResults<R>;
  }

  /** The rows of `statements`, sent after the queued writes; nothing is sent when there is nothing. */
  async send(statements: readonly ReadStatement[]): Promise<Row[][]> {
    const queued = this.queued;
    if (!queued.length && !statements.length) return [];
    this.queued = [];
    const writes = queued.flatMap(writesOf);
    const all = [...writes, ...statements];
    const loggerContext = this.em.getLoggerContext();
    for (const statement of all) countRead(loggerContext, () => filledIn(statement));
    recordMessage(loggerContext);
    const connection = await connectionOf(this.em);
    const head: string[] = [];
    const body = all.map((statement) => inMessage(connection, statement, head));
    try {
      const results = (await connection.query([...head, ...body].join(';\n'))) as unknown as
        { rows: Row[] } | { rows: Row[] }[];
      const own = (Array.isArray(results) ? results : [results]).slice(head.length + writes.length);
      return own.map((result) => result.rows);
    } catch (error) {
      forgetPrepared(connection);
      // As MikroORM reports it, so a unique-key race is retried like any other.
      throw this.em.getDriver().convertException(error as Error);
    }
  }

  /** The queued writes, sent in the message that commits (or in front of whatever the ORM sends first). */
  async sendWithCommit(): Promise<void> {
    const writes = this.queued.flatMap(writesOf);
    this.queued = [];
    await rideInTransaction(this.em, writes);
  }
}

const writesOf = (write: ReadStatement | (() => ReadStatement[])): ReadStatement[] =>
  typeof write === 'function' ? write() : [write];
