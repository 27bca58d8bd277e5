import type { EntityManager } from '@mikro-orm/postgresql';
import type pg from 'pg';
import { BEGIN, countRead, recordMessage } from './query-counter';
import { filledIn, forgetPrepared, inMessage, type ReadStatement } from './read-statements';

/**
 * Statements that ride in front of the next statement a transaction's connection sends, in the same
 * simple-protocol message: BEGIN and the tenant's settings travel with the transaction's first read,
 * and its last writes with COMMIT. Each saves a round trip per mutation, and the last shortens the
 * time a payout holds its fund's row lock by one turn of the event loop.
 */
interface Riders {
  statements: string[];
  /** What MikroORM would make of a driver error (a unique-key race must stay recognisable to retry). */
  convert: (error: Error) => Error;
  loggerContext: Record<string, unknown> | undefined;
  /** The transaction's BEGIN is among them: the server has not seen the transaction yet. */
  unbegun?: boolean;
}

type Callback = (error: Error | null, result?: unknown) => void;
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

const ridersOn = new WeakMap<pg.ClientBase, Riders>();
const patched = new WeakSet<pg.ClientBase>();

const COMMIT = /^\s*commit\b/i;
const ROLLBACK = /^\s*rollback\s*;?\s*$/i;
const ENDS_WITHOUT_RIDERS = /^\s*(begin\b|rollback\s*;?\s*$)/i;
const asIs = (error: Error) => error;

/**
 * Queues `statements` to go in front of `connection`'s next statement. A transaction's own connection
 * only: BEGIN and ROLLBACK drop what is queued, so nothing can ride into another transaction.
 */
function rideAlong(
  connection: pg.ClientBase,
  statements: readonly string[],
  options: Omit<Riders, 'statements'>,
): void {
  if (!statements.length) return;
  patch(connection);
  const riders = ridersOn.get(connection);
  if (!riders) ridersOn.set(connection, { ...options, statements: [...statements] });
  else {
    riders.statements.push(...statements);
    // A deferred BEGIN rides alone until the transaction's first statements say whose they are.
    if (!riders.loggerContext) Object.assign(riders, options);
  }
}

/**
 * A pooled connection from its creation on: a transaction's BEGIN is not sent alone but rides with
 * the transaction's first statement (PostgreSQL starts a transaction's snapshot at its first statement
 * anyway, so nothing it sees changes). A transaction refused before it sent anything rolls back
 * without a message.
 */
export function deferBegin(connection: pg.ClientBase): void {
  patch(connection);
}

/** The text of a query that pg sends as a plain simple-protocol message, or null. */
function simpleText(config: unknown, values: unknown): string | null {
  if (typeof config === 'string') return Array.isArray(values) && values.length ? null : config;
  if (!config || typeof config !== 'object') return null;
  const { text, values: own, ...rest } = config as { text?: unknown; values?: unknown[] };
  if (typeof text !== 'string' || (own && own.length) || Object.keys(rest).length) return null;
  return Array.isArray(values) && values.length ? null : text;
}

function patch(connection: pg.ClientBase): void {
  if (patched.has(connection)) return;
  patched.add(connection);
  const original = connection.query.bind(connection) as Query;
  (connection as unknown as { query: Query }).query = function query(config, values, callback) {
    const riders = ridersOn.get(connection);
    const done = (typeof values === 'function' ? values : callback) as Callback | undefined;
    const own = typeof values === 'function' ? undefined : values;
    const text = simpleText(config, own);
    if (text !== null && BEGIN.test(text)) {
      if (riders) dropped(connection);
      ridersOn.set(connection, { statements: ['begin'], convert: asIs, loggerContext: undefined, unbegun: true });
      return answerLocally('BEGIN', done);
    }
    if (!riders) return original(config, values, callback);
    ridersOn.delete(connection);
    if (text !== null && ENDS_WITHOUT_RIDERS.test(text)) {
      dropped(connection);
      if (riders.unbegun && ROLLBACK.test(text)) {
        // A transaction refused before it sent anything: there is nothing to end on the server.
        // MikroORM's logger counts the ROLLBACK as a message when it returns; it took none.
        recordMessage(riders.loggerContext, -1);
        return answerLocally('ROLLBACK', done);
      }
      return original(config, values, callback);
    }
    if (typeof (config as { submit?: unknown } | null)?.submit === 'function') {
      // A cursor or stream: pg answers with the object itself, so the riders go ahead unwatched.
      recordMessage(riders.loggerContext);
      void (original(riders.statements.join(';\n')) as Promise<unknown>).catch(() => {});
      return original(config, values, callback);
    }
    if (text === null) return sendBefore(original, riders, config, own, done);
    const result = sendTogether(original, riders, text);
    if (!done) return result;
    result.then(
      (value) => done(null, value),
      (error: Error) => done(error),
    );
    return undefined;
  };
}

/** Riders that will never be sent may hold `prepare`s the connection now wrongly counts as done. */
const dropped = (connection: pg.ClientBase) => forgetPrepared(connection);

/** What PostgreSQL would answer to a BEGIN deferred, or to the ROLLBACK of a transaction it never saw. */
function answerLocally(command: string, done?: Callback): unknown {
  const result = { command, rowCount: null, oid: 0, rows: [], fields: [] };
  if (!done) return Promise.resolve(result);
  queueMicrotask(() => done(null, result));
  return undefined;
}

/**
 * A parameterised statement cannot share a message: the riders go alone, queued just before it. If
 * they fail, the statement fails for it (the transaction is aborted) and answers with their error.
 */
function sendBefore(original: Query, riders: Riders, config: unknown, values: unknown, done?: Callback): unknown {
  recordMessage(riders.loggerContext);
  const failed = (original(riders.statements.join(';\n')) as Promise<unknown>).then(
    () => null,
    (error: Error) => riders.convert(error),
  );
  if (done) {
    original(config, values, (error: Error | null, result?: unknown) => {
      void failed.then((riderError) => (riderError ? done(riderError) : done(error, result)));
    });
    return undefined;
  }
  const result = original(config, values) as Promise<unknown>;
  result.catch(() => {});
  return failed.then((riderError) => (riderError ? Promise.reject(riderError) : result));
}

async function sendTogether(original: Query, riders: Riders, text: string): Promise<unknown> {
  try {
    const results = (await original([...riders.statements, text].join(';\n'))) as unknown[];
    const own = results.slice(riders.statements.length);
    // One statement of its own answers as pg answers one statement: a result, not a list.
    return own.length === 1 ? own[0] : own;
  } catch (error) {
    // A rider that failed before COMMIT left the transaction open and aborted: end it here.
    if (COMMIT.test(text)) await (original('rollback') as Promise<unknown>).catch(() => {});
    throw riders.convert(error as Error);
  }
}

/** The pooled connection a transaction runs on. */
export function connectionOf(em: EntityManager): Promise<pg.PoolClient> {
  return (em.getTransactionContext()!.client as { acquireConnection(): Promise<pg.PoolClient> }).acquireConnection();
}

/**
 * Queues statements whose results nobody reads to travel in front of the transaction's next
 * statement, counted for the request where they are queued (their message is counted where it goes).
 */
export async function rideInTransaction(em: EntityManager, statements: readonly ReadStatement[]): Promise<void> {
  if (!statements.length) return;
  const loggerContext = em.getLoggerContext();
  for (const statement of statements) countRead(loggerContext, () => filledIn(statement));
  const connection = await connectionOf(em);
  const head: string[] = [];
  const body = statements.map((statement) => inMessage(connection, statement, head));
  rideAlong(connection, [...head, ...body], {
    loggerContext,
    convert: (error) => {
      forgetPrepared(connection);
      // As MikroORM reports it, so a unique-key race is retried like any other.
      return em.getDriver().convertException(error);
    },
  });
}
