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
