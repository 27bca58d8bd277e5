import type { EntityManager } from '@mikro-orm/postgresql';
import type { Read } from './session';

/**
 * Per transaction, the rows it has read and reads again (a ruling's coupon and rebate both read the
 * order with its buyer and the merchant): one map per slot, each owned by the module whose table it
 * holds. The owner keeps an entry current when its transaction writes the row (or forgets it), and
 * `asPlatform` forgets everything at each change of scope, so an entry is only ever answered to the
 * scope that read it. Outside a transaction there is no memo: every read goes to the database.
 */
const memos = new WeakMap<object, Map<string, Map<string, unknown>>>();

function slotOf<V>(em: EntityManager, slot: string): Map<string, V> | null {
  const transaction = em.getTransactionContext();
  if (!transaction) return null;
  let slots = memos.get(transaction);
  if (!slots) memos.set(transaction, (slots = new Map()));
  let entries = slots.get(slot);
  if (!entries) slots.set(slot, (entries = new Map()));
  return entries as Map<string, V>;
}

/** The transaction's entry for `id` in `slot`, if it has read it. */
export function memoized<V>(em: EntityManager, slot: string, id: string): V | undefined {
  return slotOf<V>(em, slot)?.get(id);
}

/** Remembers rows the transaction read another way (with a lock), as `memoizedRead` would have. */
export function remember<V extends { id: string }>(em: EntityManager, slot: string, rows: readonly V[]): void {
  const entries = slotOf<V>(em, slot);
  if (entries) for (const row of rows) entries.set(row.id, row);
}

/** Drops the transaction's entry for `id` in `slot` (its row was written in a way the owner does not follow). */
export function forgetMemoized(em: EntityManager, slot: string, id: string): void {
  slotOf(em, slot)?.delete(id);
}

/** Drops everything the transaction has memoized: its scope changes. */
export function forgetAllMemoized(em: EntityManager): void {
  const transaction = em.getTransactionContext();
  if (transaction) memos.delete(transaction);
}

/**
 * `read(ids)` through the memo: the ids the transaction has read already answer from it, the rest are
 * read (one read, as `read` builds it) and remembered. Nothing is sent when every id is remembered.
 */
export function memoizedRead<V extends { id: string }>(
  em: EntityManager,
  slot: string,
  ids: readonly string[],
  read: (missing: readonly string[]) => Read<V[]>,
): Read<V[]> {
  const entries = slotOf<V>(em, slot);
  if (!entries) return read(ids);
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
