import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { Money } from '../../graphql/money';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role, STAFF_READERS } from '../../security/roles';
import type { RequestContext } from '../../server/context';
import type { Merchant } from '../merchants/merchant.entity';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { ordersService } from '../orders/orders.service';
import { OrderNode } from '../orders/orders.types';
import type { LedgerTransaction } from './ledger.entity';
import { FundCode, LedgerKind } from './ledger.enums';
import { ledgerReadService } from './ledger.read.service';
import {
  AllocateFundInput,
  FundView,
  LedgerEntryView,
  LedgerTransactionArgs,
  LedgerTransactionConnection,
  LedgerTransactionNode,
  MerchantLedgerView,
  PostSubsidyInput,
  PostSubsidyPayload,
  QuoteSubsidyPayload,
  ReverseLedgerTransactionInput,
  ReverseLedgerTransactionPayload,
  SubsidyAllowanceView,
  SubsidyQuoteInput,
} from './ledger.types';
import { subsidiesService } from './subsidies.service';

@Resolver(() => LedgerTransactionNode)
export class LedgerResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => LedgerTransactionConnection, { description: 'Ledger transactions, newest first; a merchant sees its own.' })
  ledgerTransactions(@Args(() => LedgerTransactionArgs) args: LedgerTransactionArgs, @Ctx() ctx: RequestContext) {
    return ledgerReadService.list(ctx, args);
  }

  @Allow(...STAFF_READERS)
  @Query(() => [FundView])
  funds(@Ctx() ctx: RequestContext) {
    return ledgerReadService.funds(ctx);
  }

  @Allow(...STAFF_READERS)
  @Query(() => FundView)
  async fund(@Arg('code', () => FundCode) code: FundCode, @Ctx() ctx: RequestContext) {
    return (await ledgerReadService.funds(ctx)).find((fund) => fund.code === code);
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Query(() => QuoteSubsidyPayload, { description: 'Dry run of postSubsidy: the amount, the cap that applied and why. Writes nothing.' })
  quoteSubsidy(@Arg('input', () => SubsidyQuoteInput) input: SubsidyQuoteInput, @Ctx() ctx: RequestContext) {
    return subsidiesService.quote(ctx, input);
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => PostSubsidyPayload, { description: 'Posts a subsidy, compensation, fee or rebate, capped by the policy in force.' })
  postSubsidy(@Arg('input', () => PostSubsidyInput) input: PostSubsidyInput, @Ctx() ctx: RequestContext) {
    return subsidiesService.post(ctx, input);
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => ReverseLedgerTransactionPayload, { description: 'Corrects a posting with an opposite, linked one. Once per transaction.' })
  reverseLedgerTransaction(@Arg('input', () => ReverseLedgerTransactionInput) input: ReverseLedgerTransactionInput, @Ctx() ctx: RequestContext) {
    return subsidiesService.reverse(ctx, input);
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => PostSubsidyPayload, { description: 'Moves budget from the platform treasury into a fund.' })
  allocateFund(@Arg('input', () => AllocateFundInput) input: AllocateFundInput, @Ctx() ctx: RequestContext) {
    return subsidiesService.allocate(ctx, input);
  }

  @FieldResolver(() => ID)
  id(@Root() transaction: LedgerTransaction) {
    return toGlobalId('LedgerTransaction', transaction.id);
  }

  @FieldResolver(() => Money, { description: 'The amount moved.' })
  amount(@Root() transaction: LedgerTransaction) {
    return Money.fromFen(transaction.amount);
  }

  @FieldResolver(() => Int, { description: 'The policy version whose numbers it used.' })
  policyVersion(@Root() transaction: LedgerTransaction) {
    return transaction.policyVersion.version;
  }

  @FieldResolver(() => MerchantNode, { nullable: true })
  merchant(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return transaction.merchant ? merchantsService.load(ctx, transaction.merchant.id) : null;
  }

  @FieldResolver(() => OrderNode, { nullable: true })
  order(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return transaction.order ? ordersService.load(ctx, transaction.order.id) : null;
  }

  @FieldResolver(() => LedgerTransactionNode, { nullable: true })
  reversalOf(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return transaction.reversalOf ? ledgerReadService.load(ctx, transaction.reversalOf.id) : null;
  }

  @FieldResolver(() => LedgerTransactionNode, { nullable: true })
  reversedBy(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return ledgerReadService.reversedBy(ctx, transaction);
  }

  @FieldResolver(() => [LedgerEntryView], { description: 'At least two; they sum to zero.' })
  entries(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return ledgerReadService.entries(ctx, transaction);
  }
}

@Resolver(() => MerchantNode)
export class MerchantLedgerResolver {
  @FieldResolver(() => MerchantLedgerView)
  ledger(@Root() merchant: Merchant, @Ctx() ctx: RequestContext) {
    return ledgerReadService.merchantLedger(ctx, merchant);
  }

  @FieldResolver(() => LedgerTransactionConnection, { description: "Platform money paid for or to the merchant (and reversals), newest first." })
  subsidies(@Root() merchant: Merchant, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext) {
    return ledgerReadService.subsidiesOf(ctx, merchant, page);
  }

  @FieldResolver(() => SubsidyAllowanceView, { description: 'What is left under a monthly or per-merchant cap.' })
  subsidyAllowance(
    @Root() merchant: Merchant,
    @Arg('kind', () => LedgerKind) kind: LedgerKind,
    @Arg('period', () => String, { nullable: true, description: 'YYYY-MM; default this month (China time).' }) period: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    return subsidiesService.allowance(ctx, merchant, kind, period);
  }
}
