import { readAhead, ReadsParentIdOnly } from '../../graphql/read-ahead';
import { JSONObjectResolver } from 'graphql-scalars';
import type { GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Info,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { asksOnlyId, connectionAsk } from '../../graphql/selection';
import { PageArgs } from '../../graphql/connection';
import { toGlobalId } from '../../graphql/global-id';
import { decodedMutation, decodeInput, optionalLocalId, requireLocalId } from '../../graphql/ids';
import { Money } from '../../graphql/money';
import { toPayload } from '../../graphql/user-error';
import type { RequestContext } from '../../server/context';
import { Allow } from '../../security/authorization';
import { MERCHANT_DATA_READERS, Role } from '../../security/roles';
import { buyersService } from '../buyers/buyers.service';
import { BuyerNode } from '../buyers/buyers.types';
import { ledgerReadService } from '../ledger/ledger.read.service';
import { LedgerTransactionNode } from '../ledger/ledger.types';
import { merchantsService } from '../merchants/merchants.service';
import { MerchantNode } from '../merchants/merchants.types';
import { ordersService } from '../orders/orders.service';
import { OrderNode } from '../orders/orders.types';
import { productsService } from '../products/products.service';
import { ProductNode } from '../products/products.types';
import { trustReadService } from '../trust/trust.read.service';
import { ScoreEventNode } from '../trust/trust.types';
import { AfterSalesCase } from './after-sales.entity';
import { BreakerSubject } from './after-sales.enums';
import type { CaseListArgs as DomainListArgs } from './after-sales.query';
import { breakersService } from './after-sales.breakers';
import { afterSalesService, type OpenCaseItem } from './after-sales.service';
import { simulatePolicy } from './after-sales.simulation';
import {
  AddCaseEvidenceInput,
  AddCaseMessageInput,
  AfterSalesCaseConnection,
  AfterSalesCaseNode,
  CaseEvidenceNode,
  CaseFilter,
  CaseIdInput,
  CaseMessageNode,
  CasePayload,
  CaseStatusChangeNode,
  InterventionDecisionView,
  OpenAfterSalesCasesPayload,
  OpenCaseInput,
  RefundOnlyBreakerView,
  DecideRefundOnlyInput,
  RuleOnCaseInput,
  SimulatePolicyPayload,
  WithdrawCaseInput,
} from './after-sales.types';
import type { InterventionDecision } from './after-sales.rules';

@ArgsType()
class CaseListArgs extends PageArgs {
  @Field(() => CaseFilter, { nullable: true })
  filter?: CaseFilter | null;
}

function listArgs(args: CaseListArgs): DomainListArgs {
  const { filter } = args;
  if (!filter) return args as DomainListArgs;
  return {
    ...args,
    filter: {
      ...filter,
      merchantId: optionalLocalId('Merchant', filter.merchantId, 'filter.merchantId'),
      orderId: optionalLocalId('Order', filter.orderId, 'filter.orderId'),
    },
  };
}

function openItem(sent: OpenCaseInput, index: number): OpenCaseItem {
  const { value, refusals } = decodeInput(['input', index], (ids) => ({
    ...sent,
    orderId: ids.id('Order', sent.orderId, 'orderId'),
    productId: sent.productId ? ids.id('Product', sent.productId, 'productId') : null,
  }));
  return { ...value, refusals };
}

/** A decision as GraphQL shows it; one stored as JSON has its times as strings. */
function decisionView(decision: InterventionDecision) {
  const { interveneAfter, decidedAt } = decision as unknown as {
    interveneAfter: string | Date | null;
    decidedAt: string | Date;
  };
  return {
    ...decision,
    interveneAfter: interveneAfter ? new Date(interveneAfter) : null,
    decidedAt: new Date(decidedAt),
  };
}

/** Cases are written by the platform; merchants answer on their own. */
const CASE_PARTIES = [Role.MERCHANT, Role.INGEST, Role.ARBITRATOR, Role.ADMIN] as const;

@Resolver(() => AfterSalesCaseNode)
export class AfterSalesResolver {
  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => AfterSalesCaseNode, { nullable: true })
  afterSalesCase(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    const caseId = requireLocalId('AfterSalesCase', id, 'id');
    readAhead(caseId, ctx, info);
    return afterSalesService.load(ctx, caseId);
  }

  @Allow(...MERCHANT_DATA_READERS)
  @Query(() => AfterSalesCaseConnection, { description: 'Cases, newest first: all for staff, its own for a merchant.' })
  afterSalesCases(
    @Args(() => CaseListArgs) args: CaseListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return afterSalesService.list(ctx, listArgs(args), connectionAsk(info));
  }

  @FieldResolver(() => ID)
  id(@Root() c: AfterSalesCase) {
    return toGlobalId('AfterSalesCase', c.id);
  }

  // Read ahead, the case is its id alone: what it points at is read through it.
  @ReadsParentIdOnly()
  @FieldResolver(() => OrderNode)
  order(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    if (!c.order) return ordersService.loadOf(ctx, { entity: AfterSalesCase, property: 'order', id: c.id });
    return ordersService.load(ctx, c.order.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => MerchantNode)
  merchant(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!c.merchant) return merchantsService.loadOf(ctx, { entity: AfterSalesCase, property: 'merchant', id: c.id });
    const { id } = c.merchant;
    return asksOnlyId(info) ? merchantsService.reference(ctx, id) : merchantsService.load(ctx, id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => BuyerNode)
  buyer(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!c.buyer) return buyersService.loadOf(ctx, { entity: AfterSalesCase, property: 'buyer', id: c.id });
    const { id } = c.buyer;
    return asksOnlyId(info) ? buyersService.reference(ctx, id) : buyersService.load(ctx, id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => ProductNode)
  product(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo) {
    if (!c.product) return productsService.loadOf(ctx, { entity: AfterSalesCase, property: 'product', id: c.id });
    const { id } = c.product;
    return asksOnlyId(info) ? productsService.reference(ctx, id) : productsService.load(ctx, id);
  }

  @FieldResolver(() => Money)
  requestedAmount(@Root() c: AfterSalesCase) {
    return Money.fromFen(c.requestedAmount);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'What the ruling refunds.' })
  refundAmount(@Root() c: AfterSalesCase) {
    return c.refundAmount == null ? null : Money.fromFen(c.refundAmount);
  }

  @FieldResolver(() => InterventionDecisionView, {
    nullable: true,
    description: 'The latest intervention decision and its rationale; null until intervention is asked for.',
  })
  decision(@Root() c: AfterSalesCase) {
    return c.decision ? decisionView(c.decision) : null;
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [CaseEvidenceNode], { description: 'Evidence, oldest first.' })
  evidence(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    return afterSalesService.evidence(ctx, c.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [CaseMessageNode], { description: 'The negotiation, oldest first.' })
  messages(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    return afterSalesService.messages(ctx, c.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [CaseStatusChangeNode], { description: 'Every move of the case, oldest first.' })
  statusHistory(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    return afterSalesService.statusHistory(ctx, c.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [LedgerTransactionNode], { description: 'The money the ruling moved, citing this case.' })
  postings(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    return ledgerReadService.ofCase(ctx, c.id);
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => [ScoreEventNode], { description: 'The score events this case caused.' })
  scoreEvents(@Root() c: AfterSalesCase, @Ctx() ctx: RequestContext) {
    return trustReadService.eventsOfCase(ctx, c.id);
  }

  @Allow(Role.POLICY_ADMIN, Role.ADMIN)
  @Query(() => SimulatePolicyPayload, {
    description:
      'What a draft policy (the one in force plus `changes`, as for publishPolicy) would have decided on the ' +
      'cases opened in [from, to): decisions changed, the refund-only subsidy cost under both. Writes nothing.',
  })
  async simulatePolicy(
    @Arg('changes', () => JSONObjectResolver) changes: Record<string, unknown>,
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Changed cases to list, 0 to 100.' }) first: number,
    @Ctx() ctx: RequestContext,
  ) {
    const outcome = await simulatePolicy(ctx, {
      changes,
      from,
      to,
      first: Math.max(0, Math.min(100, first)),
    });
    const simulation = outcome.simulation && {
      ...outcome.simulation,
      subsidyCostCurrent: Money.fromFen(outcome.simulation.subsidyCostCurrent),
      subsidyCostDraft: Money.fromFen(outcome.simulation.subsidyCostDraft),
      changed: outcome.simulation.changed.map((c) => ({
        ...c,
        current: decisionView(c.current),
        draft: decisionView(c.draft),
      })),
    };
    return toPayload({ ...outcome, simulation });
  }

  @Allow(Role.INGEST, Role.ADMIN)
  @Mutation(() => OpenAfterSalesCasesPayload, {
    description:
      'Opens up to 1,000 platform cases. Idempotent on (platform, externalNumber); one result per item. ' +
      'A request is at most what is still refundable on the order; one open case of a type per order.',
  })
  async openAfterSalesCases(@Arg('input', () => [OpenCaseInput]) input: OpenCaseInput[], @Ctx() ctx: RequestContext) {
    const outcome = await afterSalesService.open(ctx, input.map(openItem));
    return toPayload({
      ...outcome,
      results: outcome.results?.map(({ refusals, ...result }) => ({ ...result, userErrors: refusals })),
    });
  }

  @Allow(...CASE_PARTIES)
  @Mutation(() => CasePayload, { description: 'Adds evidence to an open case.' })
  addCaseEvidence(@Arg('input', () => AddCaseEvidenceInput) input: AddCaseEvidenceInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.addEvidence(ctx, value),
    );
  }

  @Allow(...CASE_PARTIES)
  @Mutation(() => CasePayload, { description: 'Adds a negotiation message; the first one starts the negotiation.' })
  addCaseMessage(@Arg('input', () => AddCaseMessageInput) input: AddCaseMessageInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.addMessage(ctx, value),
    );
  }

  @Allow(...CASE_PARTIES)
  @Mutation(() => CasePayload, {
    description:
      'Asks the platform to intervene (a merchant on its own case; staff for the buyer). The decision and ' +
      'its rationale are stored on the case; the case goes under review when the rules allow it.',
  })
  requestIntervention(@Arg('input', () => CaseIdInput) input: CaseIdInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.requestIntervention(ctx, value),
    );
  }

  @Allow(Role.ARBITRATOR)
  @Mutation(() => CasePayload, {
    description:
      'Rules on a case under review, within its decision. Money (subsidies, rebates) and score events ' +
      'commit with the ruling.',
  })
  ruleOnCase(@Arg('input', () => RuleOnCaseInput) input: RuleOnCaseInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.rule(ctx, value),
    );
  }

  @Allow(Role.MERCHANT)
  @Mutation(() => CasePayload, {
    description:
      "Refund-only rule 2: the merchant decides a buyer's refund-only claim on its own case itself, when its " +
      "experience and integrity scores reach the policy's thresholds or its band's graded amount covers the claim; " +
      'otherwise refused (NOT_ELIGIBLE), naming the rules that apply. Money and score effects are a ruling’s.',
  })
  decideRefundOnly(
    @Arg('input', () => DecideRefundOnlyInput) input: DecideRefundOnlyInput,
    @Ctx() ctx: RequestContext,
  ) {
    return decodedMutation(
      (ids) => ({ ...input, caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.decideRefundOnly(ctx, value),
    );
  }

  @Allow(Role.INGEST, Role.ARBITRATOR, Role.ADMIN)
  @Mutation(() => CasePayload, { description: 'The buyer withdraws a case before it is ruled.' })
  withdrawCase(@Arg('input', () => WithdrawCaseInput) input: WithdrawCaseInput, @Ctx() ctx: RequestContext) {
    return decodedMutation(
      (ids) => ({ ...input, caseId: ids.id('AfterSalesCase', input.caseId, 'caseId') }),
      (value) => afterSalesService.withdraw(ctx, value),
    );
  }
}

@Resolver(() => MerchantNode)
export class MerchantAfterSalesResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => AfterSalesCaseConnection, { description: "The merchant's after-sales cases, newest first." })
  afterSalesCases(
    @Root() merchant: { id: string },
    @Args(() => CaseListArgs) args: CaseListArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return afterSalesService.ofMerchant(ctx, merchant.id, listArgs(args), connectionAsk(info));
  }

  @ReadsParentIdOnly()
  @FieldResolver(() => RefundOnlyBreakerView, { description: "The merchant's refund-only circuit breaker." })
  refundOnlyBreaker(@Root() merchant: { id: string }, @Ctx() ctx: RequestContext) {
    return breakersService.breaker(ctx, BreakerSubject.MERCHANT, merchant.id);
  }
}

@Resolver(() => ProductNode)
export class ProductAfterSalesResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => RefundOnlyBreakerView, { description: "The product's refund-only circuit breaker." })
  refundOnlyBreaker(@Root() product: { id: string }, @Ctx() ctx: RequestContext) {
    return breakersService.breaker(ctx, BreakerSubject.PRODUCT, product.id);
  }
}

@Resolver(() => BuyerNode)
export class BuyerAfterSalesResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => RefundOnlyBreakerView, {
    description: "The buyer's refund-only circuit breaker, across all merchants.",
  })
  refundOnlyBreaker(@Root() buyer: { id: string }, @Ctx() ctx: RequestContext) {
    return breakersService.breaker(ctx, BreakerSubject.BUYER, buyer.id);
  }
}

@Resolver(() => OrderNode)
export class OrderAfterSalesResolver {
  @ReadsParentIdOnly()
  @FieldResolver(() => [AfterSalesCaseNode], { description: "The order's after-sales cases, oldest first." })
  afterSalesCases(@Root() order: { id: string }, @Ctx() ctx: RequestContext) {
    return afterSalesService.ofOrder(ctx, order.id);
  }
}
