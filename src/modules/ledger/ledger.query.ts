import type { TableSpec, WhereClause } from '../../graphql/connection';
import { requireLocalId } from '../../graphql/ids';
import { LedgerKind } from './ledger.enums';
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

export function ledgerTransactionWhere(filter?: LedgerTransactionFilter | null): WhereClause {
  const merchantId = filter?.merchantId ? requireLocalId('Merchant', filter.merchantId, 'filter.merchantId') : null;
  const orderId = filter?.orderId ? requireLocalId('Order', filter.orderId, 'filter.orderId') : null;
  return (qb) => {
    if (merchantId) qb.where('t.merchant_id', merchantId);
    if (orderId) qb.where('t.order_id', orderId);
    if (filter?.kind?.length) qb.whereIn('t.kind', filter.kind);
  };
}
