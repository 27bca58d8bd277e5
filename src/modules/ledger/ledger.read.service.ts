import type { Page } from '../../graphql/connection';
import { paginate, type PageArgs } from '../../graphql/connection';
import { requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import type { RequestContext } from '../../server/context';
import type { Merchant } from '../merchants/merchant.entity';
import { LedgerTransaction } from './ledger.entity';
import { AccountKind, FundCode, LedgerKind } from './ledger.enums';
import { NEWEST_FIRST } from './ledger.loaders';
import { LEDGER_TRANSACTION_TABLE, ledgerTransactionWhere } from './ledger.query';
import type { FundView, LedgerEntryView, LedgerTransactionArgs, MerchantLedgerView } from './ledger.types';

export const ledgerReadService = {
  byId(ctx: RequestContext, globalId: string): Promise<LedgerTransaction | null> {
    return ctx.loaders.ledger.transactionById.load(requireLocalId('LedgerTransaction', globalId, 'id'));
  },

  load(ctx: RequestContext, id: string): Promise<LedgerTransaction | null> {
    return ctx.loaders.ledger.transactionById.load(id);
  },

  list(ctx: RequestContext, args: LedgerTransactionArgs): Promise<Page<LedgerTransaction>> {
    return paginate(ctx.db, LedgerTransaction, { ...LEDGER_TRANSACTION_TABLE, where: ledgerTransactionWhere(args.filter), sort: NEWEST_FIRST, page: args });
  },

  subsidiesOf(ctx: RequestContext, merchant: Merchant, page: PageArgs): Promise<Page<LedgerTransaction>> {
    return ctx.loaders.ledger.subsidiesOfMerchant.load({ parentId: merchant.id, args: page });
  },

  entries(ctx: RequestContext, transaction: LedgerTransaction): Promise<LedgerEntryView[]> {
    return ctx.loaders.ledger.entries.load(transaction.id);
  },

  async reversedBy(ctx: RequestContext, transaction: LedgerTransaction): Promise<LedgerTransaction | null> {
    return (await ctx.loaders.ledger.reversalOf.load(transaction.id))[0] ?? null;
  },

  async merchantLedger(ctx: RequestContext, merchant: Merchant): Promise<MerchantLedgerView> {
    const accounts = await ctx.loaders.ledger.accountsOfMerchant.load(merchant.id);
    const balance = (kind: AccountKind) => accounts.find((a) => a.kind === kind)?.balance ?? 0;
    return { cash: Money.fromFen(balance(AccountKind.MERCHANT_CASH)), ad: Money.fromFen(balance(AccountKind.MERCHANT_AD)) };
  },

  /** Budget (allocations less reversed ones), spent and remaining of each fund. */
  async funds(ctx: RequestContext): Promise<FundView[]> {
    const knex = ctx.db.knex();
    const allocation = knex.raw(
      `coalesce((select sum(e.amount) from ledger_entry e join ledger_transaction tx on tx.id = e.transaction_id
         where e.account_id = a.id and (tx.kind = ? or exists (
           select 1 from ledger_transaction o where o.id = tx.reversal_of_id and o.kind = ?))), 0) as budget`,
      [LedgerKind.FUND_ALLOCATION, LedgerKind.FUND_ALLOCATION],
    );
    const qb = knex('ledger_account as a').select('a.fund', 'a.balance', allocation).where('a.kind', AccountKind.FUND).orderBy('a.fund');
    const rows = await ctx.db.read((run) => run(qb));
    return rows.map((row) => {
      const budget = Number(row.budget);
      const remaining = Number(row.balance);
      return { code: row.fund as FundCode, budget: Money.fromFen(budget), spent: Money.fromFen(budget - remaining), remaining: Money.fromFen(remaining) };
    });
  },
};
