import type { ServiceContext } from '../../db/session';
import { countAsked, type Page, type PageArgs, paginate } from '../../graphql/connection';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';
import { LedgerTransaction } from './ledger.entity';
import { AccountKind, type FundCode } from './ledger.enums';
import { type LedgerEntryRow, NEWEST_FIRST } from './ledger.loaders';
import { fundsQuery, LEDGER_TRANSACTION_TABLE, type LedgerFilter, ledgerTransactionWhere } from './ledger.query';
import { LEDGER_TRANSACTION_FIELD_READS } from './ledger.types';

export const ledgerReadService = {
  ofAppeal(ctx: ServiceContext, appealId: string): Promise<LedgerTransaction[]> {
    return ctx.loaders.ledger.byAppeal.load(appealId);
  },

  ofCase(ctx: ServiceContext, caseId: string): Promise<LedgerTransaction[]> {
    return ctx.loaders.ledger.byCase.load(caseId);
  },

  load(ctx: ServiceContext, id: string): Promise<LedgerTransaction | null> {
    return ctx.loaders.ledger.transactionById.load(id);
  },

  /** `asked`: what the caller will read of the connection; only the nodes' columns asked are fetched. */
  list(
    ctx: ServiceContext,
    args: PageArgs & { filter?: LedgerFilter | null },
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<LedgerTransaction>> {
    return paginate(ctx.db, LedgerTransaction, {
      shape: 'ledger.transactions',
      ...LEDGER_TRANSACTION_TABLE,
      where: ledgerTransactionWhere(args.filter),
      sort: NEWEST_FIRST,
      page: args,
      columns: ctx.db.columnsFor(LedgerTransaction, asked.nodes, LEDGER_TRANSACTION_FIELD_READS),
      ...countAsked(asked),
    });
  },

  subsidiesOf(
    ctx: ServiceContext,
    merchant: { id: string },
    page: PageArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<LedgerTransaction>> {
    return ctx.loaders.ledger.subsidiesOfMerchant.load({ parentId: merchant.id, args: page, ...countAsked(asked) });
  },

  entries(ctx: ServiceContext, transaction: LedgerTransaction): Promise<LedgerEntryRow[]> {
    return ctx.loaders.ledger.entries.load(transaction.id);
  },

  async reversedBy(ctx: ServiceContext, transaction: LedgerTransaction): Promise<LedgerTransaction | null> {
    return (await ctx.loaders.ledger.reversalOf.load(transaction.id))[0] ?? null;
  },

  /** Balances of the merchant's cash and ad accounts, in fen. */
  async merchantLedger(ctx: ServiceContext, merchant: { id: string }): Promise<{ cash: number; ad: number }> {
    const accounts = await ctx.loaders.ledger.accountsOfMerchant.load(merchant.id);
    const balance = (kind: AccountKind) => accounts.find((a) => a.kind === kind)?.balance ?? 0;
    return { cash: balance(AccountKind.MERCHANT_CASH), ad: balance(AccountKind.MERCHANT_AD) };
  },

  /** Budget (allocations less reversed ones), spent and remaining of each fund, in fen. */
  async funds(ctx: ServiceContext): Promise<{ code: FundCode; budget: number; spent: number; remaining: number }[]> {
    const rows = await ctx.db.read((run) => run(fundsQuery(ctx.db.knex())));
    return rows.map((row) => {
      const budget = Number(row.budget);
      const remaining = Number(row.balance);
      return { code: row.fund as FundCode, budget, spent: budget - remaining, remaining };
    });
  },
};
