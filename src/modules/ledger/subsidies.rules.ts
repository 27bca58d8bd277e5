import { yuanText } from '../../shared/money';
import { MerchantTier, OrderStatus } from '../../shared/enums';
import type { PolicyNumbers } from '../policies/policy.schema';
import { LedgerKind } from './ledger.enums';

/** What a rule needs to know; the service gathers it from orders, merchants and earlier postings. */
export interface OrderFacts {
  paidAmount: number;
  promoted: boolean;
  promotionFee: number;
  custom: boolean;
  hosted: boolean;
  status: OrderStatus;
  shipBy: Date;
  shippedAt?: Date | null;
  deliveredAt?: Date | null;
  completedAt?: Date | null;
  refundedAt?: Date | null;
  voidedAt?: Date | null;
  remoteRegion: boolean;
}

export interface SubsidyFacts {
  order?: OrderFacts;
  merchantTier?: MerchantTier;
  buyerIsSuperBuyer?: boolean;
  buyerIsMalicious?: boolean;
  /** The buyer's risk level from the trust module: LOW, MEDIUM or HIGH. */
  buyerRiskLevel?: string;
  /** What standing postings of this kind already paid on the order (claims that add up to a limit). */
  paidOnOrder?: number;
  highRepurchase?: boolean;
  /** The amount claimed (shipping cost, goods value, late-shipment claim, coupons, transfer fee). */
  requested?: number | null;
  officialPickup?: boolean | null;
  qualityAfterReceipt?: boolean | null;
  flaggedAbnormal?: boolean | null;
  /** Already paid under the same cap (this month, or ever for per-merchant caps). */
  alreadyPaid: number;
  /** An appeal on the order was upheld: the platform compensates and rebates its fees. */
  appealUpheld?: boolean | null;
  /** An after-sales ruling found the merchant at fault (the buyer's experience coupon). */
  merchantAtFault?: boolean | null;
  /** What was refunded to the buyer: a refund-only subsidy never pays more. */
  refunded?: number;
  /** The technical service fee charged on the order, for its rebate. */
  chargedFee?: number | null;
  /** Growth incentive: completed sales of the period and its targets. */
  periodSales?: number;
  baseTarget?: number | null;
  sprintTarget?: number | null;
}

export type QuoteRefusal = 'NOT_ELIGIBLE' | 'CAP_EXCEEDED' | 'BUDGET_EXHAUSTED';

export interface SubsidyQuote {
  eligible: boolean;
  amount: number;
  requested: number | null;
  cap: number | null;
  capName: string | null;
  explanation: string;
  refusal: QuoteRefusal | null;
}

/** Half-up rounding of `amount × bp / 10000` in integer arithmetic. */
export function applyBasisPoints(amount: number, bp: number): number {
  return Math.floor((amount * bp + 5_000) / 10_000);
}

function refuse(
  explanation: string,
  refusal: QuoteRefusal = 'NOT_ELIGIBLE',
  extra: Partial<SubsidyQuote> = {},
): SubsidyQuote {
  return { eligible: false, amount: 0, requested: null, cap: null, capName: null, explanation, refusal, ...extra };
}

/** An uncapped payout of `amount`, and why. */
function pay(amount: number, explanation: string, requested: number | null = null): SubsidyQuote {
  return { eligible: true, amount, requested, cap: null, capName: null, explanation, refusal: null };
}

/** Pays `wanted`, limited by `cap` minus what was already paid under it. */
function capped(
  wanted: number,
  cap: number,
  capName: string,
  alreadyPaid: number,
  why: string,
  requested: number | null = wanted,
): SubsidyQuote {
  const left = Math.max(0, cap - alreadyPaid);
  if (left === 0)
    return refuse(`${capName} of ${yuanText(cap)} is used up`, 'CAP_EXCEEDED', { requested, cap, capName });
  const amount = Math.min(wanted, left);
  const limited =
    amount < wanted
      ? `, limited by ${capName} (${yuanText(cap)}${alreadyPaid ? `, ${yuanText(alreadyPaid)} already paid` : ''})`
      : '';
  return {
    eligible: true,
    amount,
    requested,
    cap,
    capName,
    explanation: `${why}: ${yuanText(amount)}${limited}`,
    refusal: null,
  };
}

function needOrder(facts: SubsidyFacts): NonNullable<SubsidyFacts['order']> | SubsidyQuote {
  return facts.order ?? refuse('this kind needs an order');
}

function needRequested(facts: SubsidyFacts, what: string): number | SubsidyQuote {
  return facts.requested != null && facts.requested > 0 ? facts.requested : refuse(`give the ${what} as amount`);
}

const isQuote = (value: unknown): value is SubsidyQuote =>
  typeof value === 'object' && value !== null && 'eligible' in value;

type Rule = (facts: SubsidyFacts, policy: PolicyNumbers) => SubsidyQuote;

/** One pure rule per kind: amount, the cap that applied, and why. Numbers come from the policy. */
export const SUBSIDY_RULES: Partial<Record<LedgerKind, Rule>> = {
  [LedgerKind.RETURN_SHIPPING_SUBSIDY]: (facts, { returnShipping: p }) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (!facts.officialPickup) return refuse('only returns picked up by the official logistics service are subsidised');
    if (facts.buyerIsMalicious) return refuse('buyers tagged MALICIOUS get no return-shipping subsidy');
    const cost = needRequested(facts, 'return shipping cost');
    if (isQuote(cost)) return cost;
    if (facts.buyerRiskLevel === 'HIGH') {
      return capped(
        cost,
        p.highRiskBuyerCap,
        'the cap for high-risk buyers',
        0,
        'return shipping of a high-risk buyer',
      );
    }
    if (facts.buyerIsSuperBuyer)
      return capped(cost, p.superBuyerCap, 'the SUPER_BUYER cap per order', 0, 'return shipping of a SUPER_BUYER');
    if (
      facts.merchantTier &&
      p.largeOrderTiers.includes(facts.merchantTier) &&
      order.paidAmount >= p.largeOrderMinPaid
    ) {
      return capped(
        cost,
        p.largeOrderCap,
        `the large-order cap of ${facts.merchantTier} shops`,
        0,
        'return shipping of a large order',
      );
    }
    return capped(cost, p.standardCap, 'the standard cap per order', 0, 'return shipping');
  },

  [LedgerKind.DISPUTE_COMPENSATION]: (facts, { disputeCompensation: p }) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (!order.custom) return refuse('dispute compensation is for custom / made-to-order orders');
    const total = applyBasisPoints(order.paidAmount, p.rateBp);
    const paid = facts.paidOnOrder ?? 0;
    const share = `${p.rateBp / 100}% of the sub-order ${yuanText(order.paidAmount)}`;
    if (total === 0) return refuse(`${share} is less than 0.01 yuan: there is nothing to compensate`);
    if (paid >= total) {
      return refuse(`${share} (${yuanText(total)}) is paid in full across earlier claims`, 'CAP_EXCEEDED', {
        cap: total,
        capName: 'the share of the sub-order',
      });
    }
    const left = total - paid;
    const wanted = facts.requested != null && facts.requested > 0 ? Math.min(facts.requested, left) : left;
    const why = paid ? `${share}, ${yuanText(paid)} already paid on earlier claims` : share;
    return capped(wanted, p.cap, 'the cap per claim', 0, why, facts.requested ?? null);
  },

  [LedgerKind.TRANSIT_LOSS_COMPENSATION]: (facts, policy) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    const claimed = needRequested(facts, 'value of the goods lost');
    if (isQuote(claimed)) return claimed;
    const paid = facts.paidOnOrder ?? 0;
    // The goods' value is what the buyer paid for them; what earlier claims paid counts against it.
    const value = Math.min(claimed, Math.max(0, order.paidAmount - paid));
    if (value === 0) {
      return refuse(`the goods' value ${yuanText(order.paidAmount)} is paid in full`, 'CAP_EXCEEDED', {
        requested: claimed,
        cap: order.paidAmount,
        capName: "the goods' value",
      });
    }
    const why =
      value < claimed
        ? `goods lost in transit, at most their value ${yuanText(order.paidAmount)}`
        : 'goods lost in transit, at their value';
    return capped(
      value,
      policy.transitLossCap,
      'the transit-loss cap',
      paid,
      paid ? `${why} (${yuanText(paid)} already paid)` : why,
      claimed,
    );
  },

  [LedgerKind.LATE_SHIPMENT_SUBSIDY]: (facts, { highRepurchase: p }) => {
    if (!facts.highRepurchase)
      return refuse('only high-repurchase merchants are subsidised for an occasional late shipment');
    const claim = needRequested(facts, 'late-shipment claim');
    if (isQuote(claim)) return claim;
    return capped(
      claim,
      p.lateShipmentMonthlyCap,
      'the monthly late-shipment cap',
      facts.alreadyPaid,
      'occasional late shipment',
    );
  },

  [LedgerKind.REFUND_ONLY_SUBSIDY]: (facts, policy) => {
    const { tierBenefits } = policy;
    const tierCap = facts.merchantTier && tierBenefits.tiers.includes(facts.merchantTier);
    if (!facts.highRepurchase && !tierCap) {
      return refuse(
        `only high-repurchase merchants and ${tierBenefits.tiers.join(' / ')} shops get the refund-only subsidy`,
      );
    }
    if (!facts.qualityAfterReceipt) return refuse('the subsidy covers quality refund-only after receipt');
    const claim = needRequested(facts, 'refund-only amount');
    if (isQuote(claim)) return claim;
    const refunded = facts.refunded ?? 0;
    if (claim > refunded) {
      return refuse(
        `the subsidy covers what was refunded: ${yuanText(claim)} is more than the ${yuanText(refunded)} refunded`,
        'CAP_EXCEEDED',
        { requested: claim, cap: refunded, capName: 'the refund' },
      );
    }
    const cap = merchantCapOf(LedgerKind.REFUND_ONLY_SUBSIDY, facts.merchantTier, policy);
    const capName = `the monthly refund-only subsidy cap${tierCap ? ` of ${facts.merchantTier} shops` : ''}`;
    return capped(claim, cap, capName, facts.alreadyPaid, 'quality refund-only after receipt');
  },

  [LedgerKind.PROMOTION_FEE_REBATE]: (facts) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (!order.promoted || order.promotionFee === 0) return refuse('the order was not promoted');
    const fullyRefunded = order.status === OrderStatus.REFUNDED;
    if (!fullyRefunded && !facts.flaggedAbnormal && !facts.appealUpheld)
      return refuse(
        'the promotion fee is rebated when the order was fully refunded, flagged abnormal or appealed with success',
      );
    const why = fullyRefunded ? 'fully refunded' : facts.flaggedAbnormal ? 'flagged abnormal' : 'appeal upheld';
    return pay(order.promotionFee, `promotion fee ${yuanText(order.promotionFee)} back to the ad account (${why})`);
  },

  [LedgerKind.TECH_SERVICE_FEE]: (facts, { techServiceFee: p }) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (order.hosted) return refuse('hosted orders are not charged the technical service fee');
    if (order.status === OrderStatus.REFUNDED && !order.shippedAt)
      return refuse('an order refunded before shipping is not charged');
    if (order.status !== OrderStatus.COMPLETED) return refuse('the fee is charged when the order completes');
    const wanted = applyBasisPoints(order.paidAmount, p.rateBp);
    return capped(
      wanted,
      p.cap,
      'the cap per sub-order',
      0,
      `${p.rateBp / 100}% of ${yuanText(order.paidAmount)} paid excluding shipping`,
      null,
    );
  },

  [LedgerKind.TECH_SERVICE_FEE_REBATE]: (facts) => {
    if (!facts.chargedFee) return refuse('no technical service fee was charged on this order');
    return pay(facts.chargedFee, `the technical service fee of ${yuanText(facts.chargedFee)} is rebated`);
  },

  [LedgerKind.REMOTE_LOGISTICS_FEE]: (facts, policy) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (!order.remoteRegion) return refuse('the order does not go to a remote region');
    // The policy's fee is the most one order costs, also by hand (after the automatic one was reversed).
    const fee = facts.requested != null && facts.requested > 0 ? facts.requested : policy.remoteTransferFee;
    return capped(
      fee,
      policy.remoteTransferFee,
      'the transfer fee per order (remoteTransferFee)',
      0,
      'transfer fee to a remote region, paid by the platform',
      facts.requested ?? null,
    );
  },

  [LedgerKind.APPEAL_COMPENSATION]: (facts, policy) => {
    if (!facts.appealUpheld) return refuse('compensation is paid for an upheld appeal');
    const claimed = needRequested(facts, 'compensation');
    if (isQuote(claimed)) return claimed;
    // The cap is per order: every upheld appeal on the order (whatever its subject) counts against it,
    // and a grant is paid whole or refused, never cut short.
    const cap = policy.appeals.compensationCap;
    const paid = facts.paidOnOrder ?? 0;
    if (claimed > cap - paid) {
      const left = Math.max(0, cap - paid);
      return refuse(
        `compensation is at most ${yuanText(cap)} per order (appeals.compensationCap); ` +
          `${yuanText(paid)} was already paid on this order, ${yuanText(left)} remains`,
        'CAP_EXCEEDED',
        { requested: claimed, cap, capName: 'the compensation cap per order' },
      );
    }
    return capped(claimed, cap, 'the compensation cap per order', paid, 'appeal upheld');
  },

  [LedgerKind.BUYER_EXPERIENCE_COUPON]: (facts, policy) => {
    if (!facts.merchantAtFault) return refuse('the coupon is for a buyer whose case found the merchant at fault');
    const amount = policy.buyerExperienceCoupon;
    return pay(amount, `a no-threshold coupon of ${yuanText(amount)}: the merchant caused a bad experience`);
  },

  [LedgerKind.PRICE_ERROR_COMPENSATION]: (facts, policy) => {
    const order = needOrder(facts);
    if (isQuote(order)) return order;
    if (order.status !== OrderStatus.VOIDED)
      return refuse('the buyer is compensated when the merchant voids the order for a price error');
    const amount = policy.priceErrorCompensation;
    return pay(amount, `price set by mistake: the buyer gets ${yuanText(amount)}`);
  },

  [LedgerKind.SMALL_MERCHANT_COUPONS]: (facts, policy) => {
    if (facts.merchantTier !== MerchantTier.SMALL) return refuse('the fund is for SMALL merchants');
    const coupons = needRequested(facts, 'coupon amount');
    if (isQuote(coupons)) return coupons;
    return capped(
      coupons,
      policy.smallMerchantCouponCap,
      'the small-merchant coupon cap',
      facts.alreadyPaid,
      'traffic coupons',
    );
  },

  [LedgerKind.GROWTH_INCENTIVE]: (facts, { growthIncentive: p }) => {
    const { periodSales = 0, baseTarget, sprintTarget } = facts;
    if (!baseTarget || !sprintTarget || sprintTarget <= baseTarget)
      return refuse('give a base target and a higher sprint target');
    if (periodSales < baseTarget)
      return refuse(`sales of ${yuanText(periodSales)} did not reach the base target ${yuanText(baseTarget)}`);
    const sprint = periodSales >= sprintTarget;
    const rateBp = sprint ? p.baseRateBp * p.sprintMultiplier : p.baseRateBp;
    const amount = applyBasisPoints(periodSales, rateBp);
    return pay(amount, `${sprint ? 'sprint' : 'base'} target reached: ${rateBp / 100}% of ${yuanText(periodSales)}`);
  },
};

/** The per-merchant cap of a capped kind for a merchant of `tier`: what rules apply and allowances report. */
export function merchantCapOf(
  kind: LedgerKind.LATE_SHIPMENT_SUBSIDY | LedgerKind.REFUND_ONLY_SUBSIDY | LedgerKind.SMALL_MERCHANT_COUPONS,
  tier: MerchantTier | undefined,
  policy: PolicyNumbers,
): number {
  if (kind === LedgerKind.SMALL_MERCHANT_COUPONS) return policy.smallMerchantCouponCap;
  if (kind === LedgerKind.LATE_SHIPMENT_SUBSIDY) return policy.highRepurchase.lateShipmentMonthlyCap;
  const tierCap = tier && policy.tierBenefits.tiers.includes(tier);
  return tierCap ? policy.tierBenefits.refundOnlySubsidyMonthlyCap : policy.highRepurchase.refundOnlySubsidyMonthlyCap;
}

/**
 * The rule of a kind, and one more that holds for all: a payout that rounds to nothing is not made
 * (a 0.6% fee on 0.08 yuan), so no zero posting ever reaches the ledger.
 */
export function quoteFor(kind: LedgerKind, facts: SubsidyFacts, policy: PolicyNumbers): SubsidyQuote {
  const rule = SUBSIDY_RULES[kind];
  if (!rule) return refuse(`${kind} is not a subsidy, compensation, fee or rebate`);
  const quote = rule(facts, policy);
  if (quote.eligible && quote.amount <= 0) {
    return {
      ...quote,
      eligible: false,
      amount: 0,
      refusal: 'NOT_ELIGIBLE',
      explanation: `nothing to pay: ${quote.explanation}`,
    };
  }
  return quote;
}

/**
 * The fact a kind pays for, on its order, and when it happened: the time whose policy applies and
 * whose month a monthly cap counts. A string says why the order is no such fact.
 */
export const FACT_OF_ORDER: Partial<Record<LedgerKind, (order: OrderFacts) => Date | string>> = {
  [LedgerKind.LATE_SHIPMENT_SUBSIDY]: (o) =>
    o.shippedAt && o.shippedAt > o.shipBy
      ? o.shippedAt
      : 'the late-shipment subsidy is for an order shipped after its ship-by time',
  [LedgerKind.REFUND_ONLY_SUBSIDY]: (o) =>
    o.status === OrderStatus.REFUNDED && o.deliveredAt && o.refundedAt
      ? o.refundedAt
      : 'the refund-only subsidy is for an order refunded after the buyer received it',
  [LedgerKind.RETURN_SHIPPING_SUBSIDY]: (o) => o.shippedAt ?? 'only an order that was shipped can be returned',
  [LedgerKind.TRANSIT_LOSS_COMPENSATION]: (o) =>
    o.shippedAt && !o.deliveredAt && (o.status === OrderStatus.SHIPPED || o.status === OrderStatus.REFUNDED)
      ? o.shippedAt
      : 'transit loss is for an order that was shipped and never delivered',
  [LedgerKind.REMOTE_LOGISTICS_FEE]: (o) => o.shippedAt ?? 'the transfer fee is paid when the order ships',
  [LedgerKind.PRICE_ERROR_COMPENSATION]: (o) =>
    o.voidedAt ?? 'the buyer is compensated when the merchant voids the order for a price error',
};

/** Calendar month of an instant in China Standard Time (UTC+8), e.g. "2026-11": the period of monthly caps. */
export function monthOf(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** The instants that bound a month "YYYY-MM" in China Standard Time. */
export function monthBounds(period: string): { from: Date; to: Date } {
  const [year, month] = period.split('-').map(Number);
  return {
    from: new Date(Date.UTC(year, month - 1, 1) - 8 * 3_600_000),
    to: new Date(Date.UTC(year, month, 1) - 8 * 3_600_000),
  };
}
