import { AsyncLocalStorage } from 'node:async_hooks';
import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';

/**
 * Counts the SQL statements MikroORM sends while a piece of work runs, so tests and benchmarks can
 * show that a GraphQL request costs a number of statements set by its depth, not its rows.
 */
const counters = new AsyncLocalStorage<{ statements: string[] }>();

export async function countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const store = { statements: [] as string[] };
  const result = await counters.run(store, work);
  return { result, statements: store.statements };
}

/** Runs a request's work with a statement counter of its own, read by `statementsSoFar` (request logs). */
export function countingStatements<T>(work: () => T): T {
  return counters.run({ statements: [] }, work);
}

/** How many statements the current request (or `countStatements` work) has sent so far. */
export function statementsSoFar(): number {
  return counters.getStore()?.statements.length ?? 0;
}

const everywhere = new Set<string[]>();

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
  counters.getStore()?.statements.push(sql);
  for (const statements of everywhere) statements.push(sql);
}

export class CountingLogger extends DefaultLogger {
  constructor(options: LoggerOptions) {
    super(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    recordStatement(context.query);
    super.logQuery(context);
  }
}
