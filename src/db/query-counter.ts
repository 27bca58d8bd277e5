import { AsyncLocalStorage } from 'node:async_hooks';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';

/**
 * Counts the SQL statements MikroORM sends while a piece of work runs, so tests and benchmarks can
 * show that a GraphQL request costs a number of statements set by its depth, not its rows.
 */
const counters = new AsyncLocalStorage<{ statements: string[]; messages: number }>();

/** The statements `work` sends, and in how many messages (round trips) they travel. */
export async function countStatements<T>(
  work: () => Promise<T>,
): Promise<{ result: T; statements: string[]; messages: number }> {
  const store = { statements: [] as string[], messages: 0 };
  const result = await counters.run(store, work);
  return { result, statements: store.statements, messages: store.messages };
}

/**
 * A request's statement count for its log line. It rides in the request EntityManager's logger
 * context (MikroORM passes that to every query it logs, in forks and transactions too) rather than
 * in an AsyncLocalStorage, whose promise hooks cost about a fifth of a deep query's CPU on Node 20.
 * A class instance, so MikroORM's context merging keeps the reference instead of copying it.
 */
export class StatementTally {
  count = 0;
  /** Messages to PostgreSQL: a statement sent alone is one, several sent together are one. */
  roundTrips = 0;
}

/** The logger context that makes an EntityManager count into `tally`. */
export const tallyContext = (tally: StatementTally) => ({ statementTally: tally });

/** Counts a statement sent by hand (not through MikroORM's logger) for the EntityManager's request. */
export function countStatement(loggerContext: Record<string, unknown> | undefined, sql: string): void {
  recordStatement(sql);
  const tally = loggerContext?.statementTally;
  if (tally instanceof StatementTally) tally.count++;
}

const everywhere = new Set<string[]>();

/** `countStatement` for a read whose text is written only when something records texts. */
export function countRead(loggerContext: Record<string, unknown> | undefined, text: () => string): void {
  if (counters.getStore() || everywhere.size) recordStatement(text());
  const tally = loggerContext?.statementTally;
  if (tally instanceof StatementTally) tally.count++;
}

/**
 * The statements issued by anyone while `work` runs, e.g. by a server answering a request the work
 * sent over HTTP. Only meaningful when nothing else runs in the process meanwhile.
 */
export async function countAllStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  everywhere.add(statements);
  try {
    return { result: await work(), statements };
  } finally {
    everywhere.delete(statements);
  }
}

/** Counts a statement sent without MikroORM's logger (the tenant reads' one-message queries). */
export function recordStatement(sql: string): void {
  const store = counters.getStore();
  if (store) store.statements.push(sql);
  for (const statements of everywhere) statements.push(sql);
}

/**
 * Counts a message to PostgreSQL (MikroORM's statements count one message each) for `loggerContext`'s
 * request; `-1` takes back the one MikroORM will count for a statement answered without a message.
 */
export function recordMessage(loggerContext?: Record<string, unknown>, messages: 1 | -1 = 1): void {
  const store = counters.getStore();
  if (store) store.messages += messages;
  const tally = loggerContext?.statementTally;
  if (tally instanceof StatementTally) tally.roundTrips += messages;
}

/** A bare BEGIN: the statement riders.ts answers locally and sends with the transaction's first. */
export const BEGIN = /^\s*begin\s*;?\s*$/i;

export class CountingLogger extends DefaultLogger {
  constructor(options: LoggerOptions) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    countStatement(context as Record<string, unknown>, context.query);
    // BEGIN rides with the transaction's first statement (riders.ts), whose message is counted.
    if (!BEGIN.test(context.query)) recordMessage(context as Record<string, unknown>);
    super.logQuery(context);
  }
}
