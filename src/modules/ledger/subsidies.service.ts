import type { ServiceContext } from '../../db/session';
import { asPlatform, runMutation, runReadOnly, type Tx } from '../../db/transaction';
import { logger } from '../../shared/logger';
import { contentHash } from '../../shared/hash';
import type { DomainEvent, DomainEventOf } from '../../shared/domain-events';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { isInFuture } from '../../shared/time';
import { OrderStatus } from '../../shared/enums';
import { merchantsService } from '../merchants/merchants.service';
import { ordersService } from '../orders/orders.service';
import { type PolicySnapshot, versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { trustService } from '../trust/trust.service';
import { type LedgerAccount, LedgerEntry, LedgerTransaction } from './ledger.entity';
import { FundCode, LedgerKind } from './ledger.enums';
import { accountCode, ledgerService, type Leg } from './ledger.service';
import type { AllocateFundInput, PostSubsidyInput, SubsidyQuoteInput } from './ledger.types';
import {
  FACT_OF_ORDER,
  merchantCapOf,
  monthBounds,
  monthOf,
  quoteFor,
  type SubsidyFacts,
  type SubsidyQuote,
} from './subsidies.rules';

type Party = 'order-merchant' | 'merchant';

/** Who pays whom for each kind, and what each needs; amounts come from the rules. */
interface KindPlan {
  needs: Party;
  from: (merchantId: string) => string;
  to: (merchantId: string) => string;
  /** At most one standing posting of this kind per order. */
  oncePerOrder?: boolean;
  /** Claims on one order add up against a limit (the share of the sub-order, the goods' value). */
  sumsOnOrder?: boolean;
  /** Caps counted per calendar month, over all time, or once per period. */
  period?: 'month' | 'all' | 'once-per-month';
  highRepurchase?: boolean;
}

const special = () => accountCode.fund(FundCode.SPECIAL_SUBSIDY);
const resourcePack = () => accountCode.fund(FundCode.RESOURCE_PACK);

/** The high-repurchase (and tier) subsidies: to the merchant's cash, once per fact, capped by month. */
const MONTHLY_MERCHANT_SUBSIDY: KindPlan = {
  needs: 'order-merchant',
  from: special,
  to: accountCode.merchantCash,
  oncePerOrder: true,
  period: 'month',
  highRepurchase: true,
};

const PLANS: Partial<Record<LedgerKind, KindPlan>> = {
  [LedgerKind.RETURN_SHIPPING_SUBSIDY]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.buyerCompensation,
    oncePerOrder: true,
  },
  [LedgerKind.DISPUTE_COMPENSATION]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.buyerCompensation,
    sumsOnOrder: true,
  },
  [LedgerKind.TRANSIT_LOSS_COMPENSATION]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.merchantCash,
    sumsOnOrder: true,
  },
  [LedgerKind.LATE_SHIPMENT_SUBSIDY]: MONTHLY_MERCHANT_SUBSIDY,
  [LedgerKind.REFUND_ONLY_SUBSIDY]: MONTHLY_MERCHANT_SUBSIDY,
  [LedgerKind.PROMOTION_FEE_REBATE]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.merchantAd,
    oncePerOrder: true,
  },
  [LedgerKind.TECH_SERVICE_FEE]: {
    needs: 'order-merchant',
    from: accountCode.merchantCash,
    to: accountCode.feeIncome,
    oncePerOrder: true,
  },
  [LedgerKind.TECH_SERVICE_FEE_REBATE]: {
    needs: 'order-merchant',
    from: accountCode.feeIncome,
    to: accountCode.merchantCash,
    oncePerOrder: true,
  },
  [LedgerKind.REMOTE_LOGISTICS_FEE]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.logisticsPayable,
    oncePerOrder: true,
  },
  [LedgerKind.APPEAL_COMPENSATION]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.merchantCash,
    oncePerOrder: false,
    sumsOnOrder: true,
  },
  [LedgerKind.BUYER_EXPERIENCE_COUPON]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.buyerCompensation,
    oncePerOrder: true,
  },
  [LedgerKind.PRICE_ERROR_COMPENSATION]: {
    needs: 'order-merchant',
    from: special,
    to: accountCode.buyerCompensation,
    oncePerOrder: true,
  },
  [LedgerKind.SMALL_MERCHANT_COUPONS]: {
    needs: 'merchant',
    from: resourcePack,
    to: accountCode.merchantAd,
    period: 'all',
  },
  [LedgerKind.GROWTH_INCENTIVE]: {
    needs: 'merchant',
    from: resourcePack,
    to: accountCode.merchantCash,
    period: 'once-per-month',
  },
};

/** The per-merchant caps `subsidyAllowance` reports. */
const CAPPED_KINDS = [
  LedgerKind.LATE_SHIPMENT_SUBSIDY,
  LedgerKind.REFUND_ONLY_SUBSIDY,
  LedgerKind.SMALL_MERCHANT_COUPONS,
] as const;

type Merchant = Awaited<ReturnType<typeof merchantsService.findByIds>>[number];
type Order = NonNullable<Awaited<ReturnType<typeof ordersService.findById>>>;

interface Prepared {
  quote: SubsidyQuote;
  plan: KindPlan;
  merchant: Merchant;
  order: Order | null;
  period: string | null;
  policy: PolicySnapshot;
  effectiveAt: Date;
}

/** A quote or posting request with local ids; the GraphQL edge decoded them. */
export type SubsidyRequest = Omit<SubsidyQuoteInput, 'orderId' | 'merchantId'> & {
  orderId?: string | null;
  merchantId?: string | null;
};
/** Set by an after-sales ruling (never by a client): the case a posting pays for and when it was ruled. */
interface CaseCaused {
  ruledCase?: { caseId: string; ruledAt: Date; refundAmount: number; merchantAtFault?: boolean };
  /** The after-sales case a posting cites when the case caused it indirectly (its order's refund). */
  citedCase?: string;
  /** Set by an upheld appeal (never by a client): the appeal a posting pays for. */
  upheldAppeal?: string;
}
export type PostingRequest = SubsidyRequest & Pick<PostSubsidyInput, 'idempotencyKey'> & CaseCaused;

const fail = (code: RefusalCode, message: string, field: string[]): never => {
  throw new Refused([refusal(code, message, ['input', ...field])]);
};

/**
 * When a posting happens, and the month its cap counts: the time of the fact it pays for where the
 * kind has one (never a free input), else the requested `effectiveAt` or now. Nothing is in the future.
 */
function timeAndPeriod(input: SubsidyRequest & CaseCaused, plan: KindPlan, order: Order | null, now: Date) {
  if (input.effectiveAt && isInFuture(input.effectiveAt, now))
    fail(RefusalCode.INVALID_INPUT, 'effectiveAt is in the future', ['effectiveAt']);
  const factOf = FACT_OF_ORDER[input.kind];
  // A ruled after-sales case is itself the fact of a refund-only subsidy (a partial refund leaves the
  // order unrefunded).
  const caseFact = input.kind === LedgerKind.REFUND_ONLY_SUBSIDY ? input.ruledCase?.ruledAt : undefined;
  const fact = caseFact ?? (factOf && order ? factOf(order) : null);
  if (typeof fact === 'string') fail(RefusalCode.NOT_ELIGIBLE, fact, ['orderId']);
  const factAt = fact as Date | null;
  if (factAt && input.effectiveAt && input.effectiveAt.getTime() !== factAt.getTime()) {
    fail(RefusalCode.INVALID_INPUT, `a ${input.kind} takes effect when its fact happened, ${factAt.toISOString()}`, [
      'effectiveAt',
    ]);
  }
  const effectiveAt = factAt ?? input.effectiveAt ?? now;
  let period: string | null = null;
  if (plan.period === 'all') period = 'ALL';
  if (plan.period === 'month') {
    period = monthOf(effectiveAt);
    if (input.period && input.period !== period) {
      fail(RefusalCode.INVALID_INPUT, `the month of a ${input.kind} is the month of its fact, ${period}`, ['period']);
    }
  }
  if (plan.period === 'once-per-month') {
    period = input.period ?? monthOf(now);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period) || period > monthOf(now)) {
      fail(RefusalCode.INVALID_INPUT, `period must be a month (YYYY-MM) no later than ${monthOf(now)}`, ['period']);
    }
  }
  return { effectiveAt, period };
}

/** The idempotency key of a posting, and the hash of what it asks. */
interface PostingKey {
  kind: LedgerKind;
  idempotencyKey: string;
  requestHash: string;
}

type Accounts = Map<string, LedgerAccount>;

/**
 * Gathers the facts of a quote or a posting and applies the kind's rule with the policy in force when
 * its fact happened, in two messages: the order (with its buyer) or the merchant, the policy timeline
 * and an earlier posting with the key; then the merchant, the accounts it would touch locked (with
 * `lock`), the key again under the locks (a twin may have committed while this one waited) and what
 * the caps count, read under the locks so that they cannot change before the posting is written.
 * With `key`, an earlier posting with it is the answer (`replayed`). A payout caused by a ruling or an
 * appeal decision has no twin to race (the case or appeal is locked) and reads its key under the
 * locks only.
 */
async function prepare(
  ctx: ServiceContext,
  input: SubsidyRequest & CaseCaused,
  options: { lock: boolean; key?: PostingKey; now: Date },
): Promise<(Prepared & { accounts?: Accounts; replayed?: undefined }) | { replayed: LedgerTransaction }> {
  const plan = PLANS[input.kind];
  if (!plan)
    return fail(RefusalCode.INVALID_INPUT, `${input.kind} is not a subsidy, compensation, fee or rebate`, ['kind']);
  const { key } = options;
  const orderId = input.orderId ?? null;
  const merchantId = input.merchantId ?? null;
  const byKey = key ? ledgerService.byKey(ctx, key.kind, key.idempotencyKey) : null;
  const lockedCause = Boolean(input.ruledCase || input.upheldAppeal);
  const [earlier, order, givenMerchant, readTimeline] = await ctx.read(
    lockedCause ? null : byKey,
    orderId ? ordersService.withBuyer(ctx, orderId) : null,
    !orderId && merchantId ? merchantsService.byId(ctx, merchantId) : null,
    policiesService.timelineReadIn(ctx),
  );
  const timeline = readTimeline ?? (await policiesService.timelineIn(ctx));
  const replayed = key && ledgerService.replayOrConflict(earlier, key.requestHash);
  if (replayed) return { replayed };
  if (orderId && !order) fail(RefusalCode.NOT_FOUND, 'no such order', ['orderId']);
  if (plan.needs === 'order-merchant' && !order)
    fail(RefusalCode.INVALID_INPUT, `${input.kind} is for an order: give orderId`, ['orderId']);
  const wantedMerchant = order?.merchant.id ?? merchantId;
  if (!wantedMerchant)
    return fail(RefusalCode.INVALID_INPUT, `${input.kind} needs merchantId or orderId`, ['merchantId']);
  if (order && merchantId && merchantId !== order.merchant.id)
    fail(RefusalCode.INVALID_INPUT, 'the order belongs to another merchant', ['merchantId']);
  if (!order && !givenMerchant) fail(RefusalCode.NOT_FOUND, 'no such merchant', ['merchantId']);
  const { effectiveAt, period } = timeAndPeriod(input, plan, order, options.now);
  const policy = versionInForce(timeline, effectiveAt);

  const countsOnOrder = Boolean(order && (plan.sumsOnOrder || plan.oncePerOrder));
  const [merchantOfOrder, accounts, keyAndStanding, raced, alreadyPaid, standingAlone, fees] = await ctx.read(
    order ? merchantsService.byId(ctx, wantedMerchant) : null,
    options.lock ? ledgerService.lockAccounts(ctx, [plan.from(wantedMerchant), plan.to(wantedMerchant)]) : null,
    key && countsOnOrder ? ledgerService.keyAndStandingOnOrder(ctx, key.kind, key.idempotencyKey, order!.id) : null,
    key && !countsOnOrder ? byKey : null,
    period ? ledgerService.paidInPeriod(ctx, input.kind, wantedMerchant, period) : null,
    !key && countsOnOrder ? ledgerService.standingOnOrder(ctx, input.kind, order!.id) : null,
    order && input.kind === LedgerKind.TECH_SERVICE_FEE_REBATE
      ? ledgerService.standingOnOrder(ctx, LedgerKind.TECH_SERVICE_FEE, order.id)
      : null,
  );
  const standing = keyAndStanding?.standing ?? standingAlone;
  const racedReplay = key && ledgerService.replayOrConflict(keyAndStanding?.byKey ?? raced, key.requestHash);
  if (racedReplay) return { replayed: racedReplay };
  const merchant = (merchantOfOrder ?? givenMerchant)!;

  const facts: SubsidyFacts = {
    order: order ?? undefined,
    merchantTier: merchant.tier,
    buyerIsSuperBuyer: order?.buyer.superBuyer ?? false,
    buyerIsMalicious: order?.buyer.malicious ?? false,
    requested: input.amount,
    officialPickup: input.officialPickup,
    qualityAfterReceipt: input.qualityAfterReceipt,
    flaggedAbnormal: input.flaggedAbnormal,
    merchantAtFault: input.ruledCase?.merchantAtFault ?? false,
    appealUpheld: Boolean(input.upheldAppeal),
    alreadyPaid: alreadyPaid ?? 0,
    baseTarget: input.baseTarget,
    sprintTarget: input.sprintTarget,
  };
  if (input.kind === LedgerKind.REFUND_ONLY_SUBSIDY) {
    // What the buyer got back: the ruled case's refund, or the whole order once it was refunded.
    facts.refunded = input.ruledCase?.refundAmount ?? (order?.status === OrderStatus.REFUNDED ? order.paidAmount : 0);
  }
  if (plan.highRepurchase) {
    facts.highRepurchase = await trustService.highRepurchase(ctx, merchant.id, effectiveAt, policy.numbers);
  }
  if (input.kind === LedgerKind.RETURN_SHIPPING_SUBSIDY && order) {
    facts.buyerRiskLevel = await trustService.buyerRiskLevel(ctx, order.buyer, options.now);
  }
  if (plan.sumsOnOrder && standing) facts.paidOnOrder = standing.reduce((sum, p) => sum + p.amount, 0);
  if (fees) facts.chargedFee = fees[0]?.amount ?? null;
  if (input.kind === LedgerKind.GROWTH_INCENTIVE && period) {
    const { from, to } = monthBounds(period);
    facts.periodSales = await ordersService.completedSales(ctx, merchant.id, from, to);
  }

  let quote = quoteFor(input.kind, facts, policy.numbers);
  if (quote.eligible && plan.oncePerOrder && standing?.length) {
    quote = {
      ...quote,
      eligible: false,
      amount: 0,
      refusal: 'NOT_ELIGIBLE',
      explanation: `${input.kind} was already posted for this order`,
    };
  }
  if (quote.eligible && plan.period === 'once-per-month' && facts.alreadyPaid > 0) {
    quote = {
      ...quote,
      eligible: false,
      amount: 0,
      refusal: 'NOT_ELIGIBLE',
      explanation: `${input.kind} was already paid for ${period}`,
    };
  }
  return { quote, plan, merchant, order, period, policy, effectiveAt, accounts: accounts ?? undefined };
}

/** A posting refuses what its quote refused, with the same explanation. */
const REFUSAL_OF_QUOTE: Record<NonNullable<SubsidyQuote['refusal']>, RefusalCode> = {
  NOT_ELIGIBLE: RefusalCode.NOT_ELIGIBLE,
  CAP_EXCEEDED: RefusalCode.CAP_EXCEEDED,
  BUDGET_EXHAUSTED: RefusalCode.BUDGET_EXHAUSTED,
};

const requestHashOf = ({ idempotencyKey: _key, ...request }: { idempotencyKey: string } & object) =>
  contentHash(request);

/** A posting inside the caller's transaction: idempotent on its key, capped, balanced. */
async function postIn(tx: Tx, input: PostingRequest): Promise<{ transaction: LedgerTransaction; replayed: boolean }> {
  const key = { kind: input.kind, idempotencyKey: input.idempotencyKey, requestHash: requestHashOf(input) };
  const prepared = await prepare(tx, input, { lock: true, key, now: tx.now() });
  if (prepared.replayed) return { transaction: prepared.replayed, replayed: true };
  const { quote, plan, merchant } = prepared;
  if (!quote.eligible) fail(REFUSAL_OF_QUOTE[quote.refusal ?? 'NOT_ELIGIBLE'], quote.explanation, []);
  const legs: Leg[] = [
    { code: plan.from(merchant.id), amount: -quote.amount },
    { code: plan.to(merchant.id), amount: quote.amount },
  ];
  const transaction = await ledgerService.write(tx, prepared.accounts!, {
    kind: input.kind,
    idempotencyKey: input.idempotencyKey,
    requestHash: key.requestHash,
    amount: quote.amount,
    legs,
    merchantId: merchant.id,
    orderId: prepared.order?.id ?? null,
    caseId: input.ruledCase?.caseId ?? input.citedCase ?? null,
    appealId: input.upheldAppeal ?? null,
    period: prepared.period,
    policyVersion: prepared.policy.version,
    reason: input.reason ?? quote.explanation,
    actor: tx.actorLabel,
    effectiveAt: prepared.effectiveAt,
  });
  return { transaction, replayed: false };
}

/** A kind posted automatically: once per order, its amount from the order alone (no cap, period or sum). */
function assertAutomatic(kind: LedgerKind, plan: KindPlan | undefined): asserts plan is KindPlan {
  if (!plan?.oncePerOrder || plan.needs !== 'order-merchant' || plan.period || plan.sumsOnOrder || plan.highRepurchase)
    throw new Error(`${kind} cannot be posted automatically`);
}

/**
 * The postings the articles call automatic ("no action by the merchant"), once per order each, made
 * in the transaction of the order events that cause them and citing them. The platform makes them, so
 * they run in the platform's scope even when a merchant's mutation caused the event. A posting that
 * does not apply (a hosted order's fee, an unpromoted order's rebate) is skipped; one the fund cannot
 * pay is skipped with a warning rather than refusing the order's own move, and can be posted by hand.
 *
 * A batch of events is posted together: its orders, merchants, earlier postings and accounts are read
 * in one statement each and the postings written in one flush, so an ingest of a thousand orders to a
 * remote region costs the statements of ten.
 */
async function postAutomatically(
  tx: Tx,
  kind: LedgerKind,
  requests: { orderId: string; cause: string; caseId?: string }[],
  facts: Pick<SubsidyRequest, 'flaggedAbnormal'>,
): Promise<void> {
  const plan = PLANS[kind];
  assertAutomatic(kind, plan);
  if (!requests.length) return;
  await asPlatform(tx, async (platformTx) => {
    const { em } = platformTx;
    const keyOf = (orderId: string) => `auto:${kind}:${orderId}`;
    const byKey = new Map(requests.map((request) => [keyOf(request.orderId), request]));
    const orderIds = [...new Set(requests.map((request) => request.orderId))];
    // What the emitting service changed is written before these reads look at the orders.
    await em.flush();
    // Postings a case causes have no twin to skip early (the case is locked, and moves once); the keys
    // are checked under the locks in any case.
    const byLockedCases = requests.every((request) => request.caseId);
    const [posted, found, readTimeline] = await platformTx.read(
      byLockedCases ? null : ledgerService.postedKeys(platformTx, kind, [...byKey.keys()]),
      ordersService.withBuyers(platformTx, orderIds),
      policiesService.timelineReadIn(platformTx),
    );
    const orders = found.filter((order) => !posted?.has(keyOf(order.id)));
    if (!orders.length) return;
    const pending = orders.map((order) => order.id);
    const timeline = readTimeline ?? (await policiesService.timelineIn(platformTx));
    const merchantIds = [...new Set(orders.map((order) => order.merchant.id))];
    // Checked again under the locks: a concurrent twin may have posted some meanwhile.
    const [merchantRows, accounts, { posted: postedMeanwhile, standing }] = await platformTx.read(
      merchantsService.byIds(platformTx, merchantIds),
      ledgerService.lockAccounts(
        platformTx,
        merchantIds.flatMap((merchantId) => [plan.from(merchantId), plan.to(merchantId)]),
      ),
      ledgerService.postedKeysAndOrdersWithStanding(platformTx, kind, pending.map(keyOf), pending),
    );
    const merchants = new Map(merchantRows.map((merchant) => [merchant.id, merchant]));
    const events: DomainEvent[] = [];
    for (const order of orders) {
      const key = keyOf(order.id);
      if (postedMeanwhile.has(key) || standing.has(order.id)) continue;
      const request = byKey.get(key)!;
      const merchant = merchants.get(order.merchant.id)!;
      const input: PostingRequest = {
        ...facts,
        kind,
        orderId: order.id,
        idempotencyKey: key,
        reason: `automatic: ${request.cause}`,
        ...(request.caseId ? { citedCase: request.caseId } : {}),
      };
      try {
        const { effectiveAt } = timeAndPeriod(input, plan, order, platformTx.now());
        const policy = versionInForce(timeline, effectiveAt);
        const quote = quoteFor(
          kind,
          {
            order,
            merchantTier: merchant.tier,
            buyerIsSuperBuyer: order.buyer.superBuyer,
            buyerIsMalicious: order.buyer.malicious,
            flaggedAbnormal: facts.flaggedAbnormal,
            merchantAtFault: false,
            appealUpheld: false,
            alreadyPaid: 0,
          },
          policy.numbers,
        );
        if (!quote.eligible) fail(REFUSAL_OF_QUOTE[quote.refusal ?? 'NOT_ELIGIBLE'], quote.explanation, []);
        const { event } = ledgerService.writeDeferred(platformTx, accounts, {
          kind,
          idempotencyKey: key,
          requestHash: requestHashOf(input),
          amount: quote.amount,
          legs: [
            { code: plan.from(merchant.id), amount: -quote.amount },
            { code: plan.to(merchant.id), amount: quote.amount },
          ],
          merchantId: merchant.id,
          orderId: order.id,
          caseId: input.citedCase ?? null,
          period: null,
          policyVersion: policy.version,
          reason: input.reason ?? quote.explanation,
          actor: platformTx.actorLabel,
          effectiveAt,
        });
        events.push(event);
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        const [first] = error.refusals;
        if (first.code === RefusalCode.BUDGET_EXHAUSTED)
          logger.warn({ kind, orderId: order.id, refusal: first }, 'automatic posting not made');
      }
    }
    if (events.length) await platformTx.emit(...events);
  });
}

/** The platform's payouts for a ruled case, in the ruling's transaction; each cites the case. */
async function payForRuledCases(tx: Tx, events: DomainEventOf<'AfterSalesCaseRuled'>[]): Promise<void> {
  for (const ruled of events) {
    const payouts: { kind: LedgerKind; amount?: number; officialPickup?: boolean; qualityAfterReceipt?: boolean }[] =
      [];
    if (ruled.drawsRepurchaseSubsidy && ruled.refundAmount > 0) {
      payouts.push({ kind: LedgerKind.REFUND_ONLY_SUBSIDY, amount: ruled.refundAmount, qualityAfterReceipt: true });
    }
    if (ruled.returnShippingCost && ruled.refundAmount > 0) {
      payouts.push({
        kind: LedgerKind.RETURN_SHIPPING_SUBSIDY,
        amount: ruled.returnShippingCost,
        officialPickup: true,
      });
    }
    if (ruled.merchantAtFault) payouts.push({ kind: LedgerKind.BUYER_EXPERIENCE_COUPON });
    for (const payout of payouts) {
      await asPlatform(tx, async (platformTx) => {
        try {
          await postIn(platformTx, {
            ...payout,
            orderId: ruled.orderId,
            idempotencyKey: `case:${ruled.caseId}:${payout.kind}`,
            reason: `after-sales case ruled ${ruled.ruling}`,
            ruledCase: {
              caseId: ruled.caseId,
              ruledAt: ruled.ruledAt,
              refundAmount: ruled.refundAmount,
              merchantAtFault: ruled.merchantAtFault,
            },
          });
        } catch (error) {
          // A cap already used up or an empty fund does not undo the buyer's ruling; it is logged.
          if (!(error instanceof Refused)) throw error;
          logger.warn({ caseId: ruled.caseId, kind: payout.kind, refusal: error.refusals[0] }, 'case payout not made');
        }
      });
    }
  }
}

/**
 * The platform pays for an upheld appeal about an order, in the decision's transaction: the
 * compensation granted (within the policy's cap), the order's promotion fee and its technical service
 * fee back; each cites the appeal. A fee never charged or an unpromoted order simply has no rebate.
 */
async function payForUpheldAppeals(tx: Tx, events: DomainEventOf<'AppealDecided'>[]): Promise<void> {
  for (const decided of events.filter((e) => e.upheld && e.orderId)) {
    const payouts: { kind: LedgerKind; amount?: number; refuseOver?: boolean }[] = [
      ...(decided.compensation
        ? [{ kind: LedgerKind.APPEAL_COMPENSATION, amount: decided.compensation, refuseOver: true }]
        : []),
      { kind: LedgerKind.PROMOTION_FEE_REBATE },
      { kind: LedgerKind.TECH_SERVICE_FEE_REBATE },
    ];
    for (const { refuseOver, ...payout } of payouts) {
      await asPlatform(tx, async (platformTx) => {
        try {
          await postIn(platformTx, {
            ...payout,
            orderId: decided.orderId,
            idempotencyKey: `appeal:${decided.appealId}:${payout.kind}`,
            reason: `appeal upheld: ${decided.reason}`,
            upheldAppeal: decided.appealId,
          });
        } catch (error) {
          // The compensation granted must be paid in full (or the decision refused); rebates that do
          // not apply are skipped.
          if (!(error instanceof Refused) || refuseOver) throw error;
        }
      });
    }
  }
}

export interface QuoteResult extends SubsidyQuote {
  kind: LedgerKind;
  policyVersion: number;
}

export const subsidiesService = {
  /** What upheld appeals have paid on an order so far: the per-order compensation cap counts it. */
  async appealCompensationOnOrder(ctx: ServiceContext, orderId: string): Promise<number> {
    const [standing] = await ctx.read(ledgerService.standingOnOrder(ctx, LedgerKind.APPEAL_COMPENSATION, orderId));
    return standing.reduce((sum, posting) => sum + posting.amount, 0);
  },

  /** Handles `AfterSalesCaseRuled`: the refund-only subsidy draw and the return-shipping subsidy. */
  onCasesRuled: payForRuledCases,

  /** Handles `AppealDecided`: what an upheld appeal pays. */
  onAppealsDecided: payForUpheldAppeals,

  /**
   * A blocking handler for order events that posts `kind` automatically on each event's order,
   * citing the cause `causeOf` gives (null: this event causes no posting).
   */
  postsAutomatically<E extends { orderId: string; caseId?: string }>(
    kind: LedgerKind,
    causeOf: (event: E) => string | null,
    facts: Pick<SubsidyRequest, 'flaggedAbnormal'> = {},
  ) {
    return (tx: Tx, events: E[]): Promise<void> =>
      postAutomatically(
        tx,
        kind,
        events.flatMap((event) => {
          const cause = causeOf(event);
          return cause ? [{ orderId: event.orderId, cause, caseId: event.caseId }] : [];
        }),
        facts,
      );
  },

  /**
   * What a posting would do, computed as `post` would (the same rule, caps and budget), and rolled
   * back. Without the posting's locks a concurrent payout may still take the budget first.
   */
  async quote(ctx: ServiceContext, input: SubsidyRequest) {
    try {
      const quote = await runReadOnly(ctx, async (snapshot) => {
        const prepared = await prepare(snapshot, input, { lock: false, now: snapshot.now() });
        if (prepared.replayed) throw new Error('a quote has no idempotency key');
        let quote = prepared.quote;
        const fund = prepared.plan.from(prepared.merchant.id);
        if (
          quote.eligible &&
          fund.startsWith('FUND:') &&
          (await ledgerService.balanceOf(snapshot, fund)) < quote.amount
        ) {
          quote = {
            ...quote,
            eligible: false,
            refusal: 'BUDGET_EXHAUSTED',
            explanation: `the fund has not enough budget left for ${quote.explanation}`,
          };
        }
        return { ...quote, kind: input.kind, policyVersion: prepared.policy.version };
      });
      return { quote, refusals: [] };
    } catch (error) {
      if (error instanceof Refused) return { quote: null, refusals: error.refusals };
      throw error;
    }
  },

  post(ctx: ServiceContext, input: PostingRequest) {
    return runMutation(ctx, (tx) => postIn(tx, input));
  },

  /** Cancels a posting with an opposite one, linked to it; a posting is reversed at most once. */
  reverse(ctx: ServiceContext, input: { transactionId: string; reason: string }) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const original = await em.findOne(LedgerTransaction, { id: input.transactionId });
      if (!original) return fail(RefusalCode.NOT_FOUND, 'no such ledger transaction', ['transactionId']);
      if (original.kind === LedgerKind.REVERSAL)
        fail(RefusalCode.NOT_ELIGIBLE, 'a reversal cannot itself be reversed', ['transactionId']);
      const entries = await em.find(LedgerEntry, { transaction: original }, { populate: ['account'] });
      const key = `reversal-of:${original.id}`;
      const [accounts, reversed] = await tx.read(
        ledgerService.lockAccounts(
          tx,
          entries.map((e) => e.account.code),
        ),
        ledgerService.byKey(tx, LedgerKind.REVERSAL, key),
      );
      if (reversed) fail(RefusalCode.ALREADY_REVERSED, 'this transaction was already reversed', ['transactionId']);
      const reversal = await ledgerService.write(tx, accounts, {
        kind: LedgerKind.REVERSAL,
        idempotencyKey: key,
        requestHash: contentHash({ reversalOf: original.id }),
        amount: original.amount,
        legs: entries.map((e) => ({ code: e.account.code, amount: -e.amount })),
        merchantId: original.merchant?.id ?? null,
        orderId: original.order?.id ?? null,
        policyVersion: original.policyVersion.version,
        reversalOf: original,
        reason: input.reason,
        actor: tx.actorLabel,
        effectiveAt: tx.now(),
      });
      return { reversal };
    });
  },

  /** Moves budget from the platform treasury into a fund. */
  allocate(ctx: ServiceContext, input: AllocateFundInput) {
    return runMutation(ctx, async (tx) => {
      const requestHash = requestHashOf(input);
      const fund = accountCode.fund(input.fund);
      const [accounts, earlier, timeline] = await tx.read(
        ledgerService.lockAccounts(tx, [accountCode.treasury(), fund]),
        ledgerService.byKey(tx, LedgerKind.FUND_ALLOCATION, input.idempotencyKey),
        policiesService.timelineReadIn(tx),
      );
      const replayed = ledgerService.replayOrConflict(earlier, requestHash);
      if (replayed) return { transaction: replayed, replayed: true };
      if (input.amount <= 0) fail(RefusalCode.INVALID_INPUT, 'allocate a positive amount', ['amount']);
      const now = tx.now();
      const transaction = await ledgerService.write(tx, accounts, {
        kind: LedgerKind.FUND_ALLOCATION,
        idempotencyKey: input.idempotencyKey,
        requestHash,
        amount: input.amount,
        legs: [
          { code: accountCode.treasury(), amount: -input.amount },
          { code: fund, amount: input.amount },
        ],
        policyVersion: versionInForce(timeline ?? (await policiesService.timelineIn(tx)), now).version,
        reason: input.reason,
        actor: tx.actorLabel,
        effectiveAt: now,
      });
      return { transaction, replayed: false };
    });
  },

  /** Whether `kind` has a per-merchant cap that `allowance` can report. */
  hasAllowance(kind: LedgerKind): boolean {
    return (CAPPED_KINDS as readonly LedgerKind[]).includes(kind);
  },

  cappedKinds: CAPPED_KINDS,

  /** What is left under a per-merchant cap in a period, in fen. */
  async allowance(ctx: ServiceContext, merchantId: string, kind: (typeof CAPPED_KINDS)[number], period: string | null) {
    const now = ctx.now();
    return runReadOnly(ctx, async (snapshot) => {
      const policy = versionInForce(await policiesService.timelineIn(snapshot), now);
      const [merchant] = await merchantsService.findByIds(snapshot, [merchantId]);
      const cap = merchantCapOf(kind, merchant?.tier, policy.numbers);
      const effectivePeriod = kind === LedgerKind.SMALL_MERCHANT_COUPONS ? 'ALL' : (period ?? monthOf(now));
      const [used] = await snapshot.read(ledgerService.paidInPeriod(snapshot, kind, merchantId, effectivePeriod));
      return {
        kind,
        period: effectivePeriod,
        cap,
        used,
        remaining: Math.max(0, cap - used),
        policyVersion: policy.version,
      };
    });
  },
};
