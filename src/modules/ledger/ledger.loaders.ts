import DataLoader from 'dataloader';
import { type PageArgs, SortDirection } from '../../graphql/connection';
import { childConnectionLoader } from '../../graphql/child-connection';
import { byIdLoader, childrenLoader, loaderSet } from '../../graphql/loaders';
import { LedgerAccount, LedgerTransaction } from './ledger.entity';
import type { AccountKind } from './ledger.enums';
import { LEDGER_ACCOUNT_TABLE, LEDGER_TRANSACTION_TABLE, SUBSIDY_KINDS } from './ledger.query';

/** One leg of a transaction, amount in fen. */
export interface LedgerEntryRow {
  accountCode: string;
  accountKind: AccountKind;
  amount: number;
}

export const NEWEST_FIRST = { key: 'EFFECTIVE_AT', column: 'effective_at', direction: SortDirection.DESC } as const;

export const createLedgerLoaders = loaderSet({
  transactionById: (db) => byIdLoader(db, LedgerTransaction, LEDGER_TRANSACTION_TABLE),
  /** The postings an appeal caused, oldest first. */
  byAppeal: (db) =>
    childrenLoader(db, LedgerTransaction, {
      ...LEDGER_TRANSACTION_TABLE,
      parentColumn: 'appeal_id',
      orderBy: ['created_at', 'id'],
    }),
  /** The postings an after-sales case caused, oldest first. */
  byCase: (db) =>
    childrenLoader(db, LedgerTransaction, {
      ...LEDGER_TRANSACTION_TABLE,
      parentColumn: 'case_id',
      orderBy: ['created_at', 'id'],
    }),
  /** The reversal of each transaction, if any (a transaction is reversed at most once). */
  reversalOf: (db) =>
    childrenLoader(db, LedgerTransaction, {
      ...LEDGER_TRANSACTION_TABLE,
      parentColumn: 'reversal_of_id',
      orderBy: ['id'],
    }),
  accountsOfMerchant: (db) =>
    childrenLoader(db, LedgerAccount, {
      ...LEDGER_ACCOUNT_TABLE,
      parentColumn: 'merchant_id',
      orderBy: ['code'],
    }),
  entries: (db) =>
    new DataLoader<string, LedgerEntryRow[]>(async (transactionIds) => {
      const qb = db
        .scoped(
          db.knex()('ledger_entry as e').join('ledger_account as t', 't.id', 'e.account_id'),
          LEDGER_ACCOUNT_TABLE.tenant,
        )
        .select('e.transaction_id', 'e.amount', 't.code', 't.kind')
        .whereIn('e.transaction_id', [...transactionIds])
        .orderBy(['e.transaction_id', 't.code']);
      const rows = await db.read((run) => run(qb));
      const byTransaction = new Map<string, LedgerEntryRow[]>(transactionIds.map((id) => [id, []]));
      for (const row of rows) {
        byTransaction.get(row.transaction_id as string)?.push({
          accountCode: row.code as string,
          accountKind: row.kind as AccountKind,
          amount: Number(row.amount),
        });
      }
      return transactionIds.map((id) => byTransaction.get(id)!);
    }),
  subsidiesOfMerchant: (db) =>
    childConnectionLoader<LedgerTransaction, PageArgs>(db, LedgerTransaction, {
      shape: 'ledger.subsidiesOfMerchant',
      ...LEDGER_TRANSACTION_TABLE,
      parentColumn: 'merchant_id',
      where: () => (qb) => qb.whereIn('t.kind', SUBSIDY_KINDS),
      sort: () => NEWEST_FIRST,
    }),
});

declare module '../../db/session' {
  interface Loaders {
    ledger: ReturnType<typeof createLedgerLoaders>;
  }
}
