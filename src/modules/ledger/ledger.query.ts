import type { Knex } from '@mikro-orm/postgresql';
import type { TableSpec, WhereClause } from '../../graphql/connection';
import { AccountKind, LedgerKind } from './ledger.enums';
import type { LedgerTransactionFilter } from './ledger.types';

export const LEDGER_TRANSACTION_TABLE: TableSpec = {
  table: 'ledger_transaction',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

export const LEDGER_ACCOUNT_TABLE: TableSpec = {
  table: 'ledger_account',
  tenant: (qb, merchantId) => qb.where('t.merchant_id', merchantId),
};

/** Platform money paid for or to a merchant, and the reversals of such payments. */
export const SUBSIDY_KINDS = Object.values(LedgerKind).filter(
  (kind) => ![LedgerKind.TECH_SERVICE_FEE, LedgerKind.FUND_ALLOCATION].includes(kind),
);

/** The filter with local ids; the GraphQL edge decodes the global ones. */
export type LedgerFilter = LedgerTransactionFilter;

export function ledgerTransactionWhere(filter?: LedgerFilter | null): WhereClause {
  return (qb) => {
    if (filter?.merchantId) qb.where('t.merchant_id', filter.merchantId);
    if (filter?.orderId) qb.where('t.order_id', filter.orderId);
    if (filter?.kind?.length) qb.whereIn('t.kind', filter.kind);
  };
}

/** Each fund's balance and budget (allocations, less reversed ones). */
export function fundsQuery(knex: Knex) {
  const allocation = knex.raw(
    `coalesce((select sum(e.amount) from ledger_entry e join ledger_transaction tx on tx.id = e.transaction_id
       where e.account_id = a.id and (tx.kind = ? or exists (
         select 1 from ledger_transaction o where o.id = tx.reversal_of_id and o.kind = ?))), 0) as budget`,
    [LedgerKind.FUND_ALLOCATION, LedgerKind.FUND_ALLOCATION],
  );
  return knex('ledger_account as a')
    .select('a.fund', 'a.balance', allocation)
    .where('a.kind', AccountKind.FUND)
    .orderBy('a.fund');
}

/**
 * The ledger's structural invariants as queries that return the rows breaking them: an auditor's check
 * after any run (tests, benchmark). Policy caps are checked where the policy is known.
 */
const LEDGER_INVARIANTS = {
  'every transaction has two or more entries that sum to zero': `select transaction_id from ledger_entry
     group by transaction_id having sum(amount) <> 0 or count(*) < 2`,
  'every transaction has entries': `select t.id from ledger_transaction t
     where not exists (select 1 from ledger_entry e where e.transaction_id = t.id)`,
  'all entries sum to zero': `select sum(amount) as total from ledger_entry having sum(amount) <> 0`,
  'each balance equals the sum of its entries': `select a.code from ledger_account a
     left join ledger_entry e on e.account_id = a.id group by a.id having a.balance <> coalesce(sum(e.amount), 0)`,
  'no fund below zero': `select code from ledger_account where kind = 'FUND' and balance < 0`,
  'each idempotency key posted once per kind': `select kind, idempotency_key from ledger_transaction
     group by 1, 2 having count(*) > 1`,
};

export async function ledgerInvariantViolations(knex: Knex): Promise<{ invariant: string; rows: unknown[] }[]> {
  const results = await Promise.all(
    Object.entries(LEDGER_INVARIANTS).map(async ([invariant, sql]) => ({
      invariant,
      rows: ((await knex.raw(sql)) as { rows: unknown[] }).rows.slice(0, 10),
    })),
  );
  return results.filter((result) => result.rows.length > 0);
}
