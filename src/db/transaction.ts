import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { countRead, recordMessage } from './query-counter';
import { filledIn, forgetPrepared, inMessage, type ReadStatement } from './read-statements';
import { connectionOf, rideInTransaction } from './riders';
import type { DomainEvent } from '../shared/domain-events';
import { type Outcome, Refused } from '../shared/refusal';
import { systemClock } from '../shared/time';
import { eventBus } from './events';
import { forgetAllMemoized } from './transaction-memo';
import type { Read, Reader, ReadResults, Session, Tx } from './session';
import { type Row, settingsOf } from './tenant-db';

export type { Session, Tx } from './session';

const ATTEMPTS = 3;

/**
 * Runs a mutation in one transaction, as the application role in the actor's tenant (so row-level
 * security applies to every statement). A `Refused` rolls everything back and becomes the outcome's
 * refusals. A unique-key race with a concurrent request (two upserts of the same new key) is retried:
 * the retry sees the other request's row and takes the update path.
 */
export async function runMutation<R extends object>(
  session: Session,
  work: (tx: Tx) => Promise<R>,
): Promise<Outcome<R>> {
  const clock = session.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    const emitted: DomainEvent[] = [];
    const lastSteps = new Map<string, (tx: Tx) => Promise<void>>();
    try {
      const result = await session.db.transaction(async (em) => {
        const pipe = new StatementPipe(em);
        const tx: Tx = {
          em,
          read: (...reads) => pipe.read(...reads),
          write: (statement) => pipe.queue(statement),
          actor: session.actor,
          scope: session.db.scope,
          now: () => clock.now(),
          emit: async (...events) => {
            emitted.push(...events);
            await eventBus.runBlocking(events, tx);
          },
          beforeCommit: (key, step) => void (lastSteps.has(key) || lastSteps.set(key, step)),
        };
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
        session.db.em.clear();
        continue;
      }
      throw error;
    }
  }
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
  forgetAllMemoized(tx.em);
  try {
    const result = await work({ ...tx, scope: platform });
    // Written now, while the platform's scope holds; the tenant's scope would refuse these rows.
    await tx.em.flush();
    return result;
  } finally {
    // What the platform queued goes in the message that takes the tenant's scope back.
    tx.write(settingsOf(tx.scope));
    await tx.read();
    forgetAllMemoized(tx.em);
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

/** Reads outside a mutation (a quote, an allowance): each read its own round trip, through MikroORM. */
export function emReader(em: EntityManager): Reader {
  return {
    em,
    async read(...reads) {
      const results = [];
      for (const read of reads) {
        if (!read) {
          results.push(null);
          continue;
        }
        const rows: Row[][] = [];
        for (const statement of read.statements) {
          rows.push(
            (await em
              .getConnection()
              .execute(filledIn(statement), [], 'all', em.getTransactionContext(), em.getLoggerContext())) as Row[],
          );
        }
        results.push(read.parse(rows));
      }
      return results as never;
    },
  };
}
