import { ReadsParentIdOnly } from '../../graphql/read-ahead';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, decodeInput, optionalLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import { connectionAsk } from '../../graphql/selection';
import { toPayload } from '../../graphql/user-error';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role, STAFF_READERS } from '../../security/roles';
import type { RequestContext } from '../../server/context';
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
  SubsidyQuoteView,
} from './ledger.types';
import { type QuoteResult, subsidiesService, type SubsidyRequest } from './subsidies.service';

const money = (fen: number | null | undefined) => (fen == null ? null : Money.fromFen(fen));

function quoteView(quote: QuoteResult): SubsidyQuoteView {
  return { ...quote, amount: Money.fromFen(quote.amount), requested: money(quote.requested), cap: money(quote.cap) };
}

/** The order and merchant ids of a quote or posting, decoded. */
function subsidyRequest<T extends SubsidyQuoteInput>(input: T) {
  return decodeInput(['input'], (ids) => ({
    ...input,
    orderId: ids.optional('Order', input.orderId, 'orderId'),
    merchantId: ids.optional('Merchant', input.merchantId, 'merchantId'),
  })) as {
    value: Omit<T, 'orderId' | 'merchantId'> & SubsidyRequest;
    refusals: ReturnType<typeof decodeInput>['refusals'];
  };
}

const fundView = (fund: { code: FundCode; budget: number; spent: number; remaining: number }): FundView => ({
  code: fund.code,
  budget: Money.fromFen(fund.budget),
  spent: Money.fromFen(fund.spent),
  remaining: Money.fromFen(fund.remaining),
});

@Resolver(() => LedgerTransactionNode)
export class LedgerResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => LedgerTransactionConnection, {
    description: 'Ledger transactions, newest first; a merchant sees its own.',
  })
  ledgerTransactions(
    @Args(() => LedgerTransactionArgs) args: LedgerTransactionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    const { filter } = args;
    return ledgerReadService.list(
      ctx,
      {
        ...args,
        filter: filter && {
          ...filter,
          merchantId: optionalLocalId('Merchant', filter.merchantId, 'filter.merchantId'),
          orderId: optionalLocalId('Order', filter.orderId, 'filter.orderId'),
        },
      },
      connectionAsk(info),
    );
  }

  @Allow(...STAFF_READERS)
  @Query(() => [FundView])
  async funds(@Ctx() ctx: RequestContext) {
    return (await ledgerReadService.funds(ctx)).map(fundView);
  }

  @Allow(...STAFF_READERS)
  @Query(() => FundView)
  async fund(@Arg('code', () => FundCode) code: FundCode, @Ctx() ctx: RequestContext) {
    return (await this.funds(ctx)).find((fund) => fund.code === code);
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Query(() => QuoteSubsidyPayload, {
    description: 'Dry run of postSubsidy: the amount, the cap that applied and why. Writes nothing.',
  })
  async quoteSubsidy(@Arg('input', () => SubsidyQuoteInput) input: SubsidyQuoteInput, @Ctx() ctx: RequestContext) {
    const { value, refusals } = subsidyRequest(input);
    if (refusals.length) return { quote: null, userErrors: refusals };
    const outcome = await subsidiesService.quote(ctx, value);
    return { quote: outcome.quote && quoteView(outcome.quote), userErrors: outcome.refusals };
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => PostSubsidyPayload, {
    description: 'Posts a subsidy, compensation, fee or rebate, capped by the policy in force.',
  })
  async postSubsidy(@Arg('input', () => PostSubsidyInput) input: PostSubsidyInput, @Ctx() ctx: RequestContext) {
    const { value, refusals } = subsidyRequest(input);
    if (refusals.length) return toPayload({ refusals });
    return toPayload(await subsidiesService.post(ctx, value));
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => ReverseLedgerTransactionPayload, {
    description: 'Corrects a posting with an opposite, linked one. Once per transaction.',
  })
  async reverseLedgerTransaction(
    @Arg('input', () => ReverseLedgerTransactionInput) input: ReverseLedgerTransactionInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({
        ...input,
        transactionId: ids.id('LedgerTransaction', input.transactionId, 'transactionId'),
      }),
      (value) => subsidiesService.reverse(ctx, value),
    );
  }

  @Allow(Role.FINANCE, Role.ADMIN)
  @Mutation(() => PostSubsidyPayload, { description: 'Moves budget from the platform treasury into a fund.' })
  async allocateFund(@Arg('input', () => AllocateFundInput) input: AllocateFundInput, @Ctx() ctx: RequestContext) {
    return toPayload(await subsidiesService.allocate(ctx, input));
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
  async entries(@Root() transaction: LedgerTransaction, @Ctx() ctx: RequestContext) {
    return (await ledgerReadService.entries(ctx, transaction)).map((entry) => ({
      ...entry,
      amount: Money.fromFen(entry.amount),
    }));
  }
}

@Resolver(() => MerchantNode)
export class MerchantLedgerResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantLedgerView)
  async ledger(@Root() merchant: { id: string }, @Ctx() ctx: RequestContext) {
    const { cash, ad } = await ledgerReadService.merchantLedger(ctx, merchant);
    return { cash: Money.fromFen(cash), ad: Money.fromFen(ad) };
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => LedgerTransactionConnection, {
    description: 'Platform money paid for or to the merchant (and reversals), newest first.',
  })
  subsidies(
    @Root() merchant: { id: string },
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return ledgerReadService.subsidiesOf(ctx, merchant, page, connectionAsk(info));
  }

  @FieldResolver(() => SubsidyAllowanceView, { description: 'What is left under a monthly or per-merchant cap.' })
  async subsidyAllowance(
    @Root() merchant: { id: string },
    @Arg('kind', () => LedgerKind) kind: LedgerKind,
    @Arg('period', () => String, { nullable: true, description: 'YYYY-MM; default this month (China time).' })
    period: string | null,
    @Ctx() ctx: RequestContext,
  ) {
    if (!subsidiesService.hasAllowance(kind)) {
      throw new GraphQLError(
        `${kind} has no per-merchant cap; ask for one of ${subsidiesService.cappedKinds.join(', ')}`,
        {
          extensions: { code: 'BAD_USER_INPUT', field: 'kind' },
        },
      );
    }
    const allowance = await subsidiesService.allowance(
      ctx,
      merchant.id,
      kind as (typeof subsidiesService.cappedKinds)[number],
      period,
    );
    return {
      ...allowance,
      cap: Money.fromFen(allowance.cap),
      used: Money.fromFen(allowance.used),
      remaining: Money.fromFen(allowance.remaining),
    };
  }
}
