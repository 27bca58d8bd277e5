import type { ServiceContext } from '../../db/session';
import { countAsked, type Page, type PageArgs } from '../../graphql/connection';
import { ordersService } from '../orders/orders.service';
import { policiesService } from '../policies/policies.service';
import type { ScoreEvent } from './trust.entity';
import type { RiskLevel, TrustBand } from './trust.enums';
import {
  buyerRisk,
  deltasOf,
  EXPERIENCE_SCALE,
  formatScaled,
  isHighRepurchase,
  merchantScores,
  shownExperience,
  standing,
} from './trust.rules';
import type { BuyerRiskView, MerchantTrustView, ScoreSnapshotView, TrustFactorView } from './trust.types';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';

export function snapshotView(scores: {
  experience: number | null;
  integrity: number;
  band: TrustBand;
}): ScoreSnapshotView {
  const { experience } = scores;
  return {
    experienceScore: experience == null ? null : formatScaled(shownExperience(experience), EXPERIENCE_SCALE, 1),
    experienceScoreExact: experience == null ? null : formatScaled(experience, EXPERIENCE_SCALE, 4),
    integrityScore: formatScaled(scores.integrity, 100, 2),
    band: scores.band,
  };
}

export const trustReadService = {
  /** Stored scores (the baseline before any event), the band, and the live high-repurchase flag. */
  async merchantTrust(
    ctx: ServiceContext,
    merchant: { id: string },
    /** The fields asked (null: all): the high-repurchase flag's query over the merchant's orders only if asked. */
    fields: ReadonlySet<string> | null = null,
  ): Promise<MerchantTrustView> {
    // All at once: the reads that need a number of the policy start without waiting for it.
    const [policy, stored, repurchase, recentOrders] = await Promise.all([
      policiesService.inForce(ctx),
      ctx.loaders.trust.merchantScore.load(merchant.id),
      fields && !fields.has('highRepurchase') ? null : ordersService.repurchaseOf(ctx, merchant.id),
      ordersService.recentOrderCountOf(ctx, merchant.id),
    ]);
    const scores = stored
      ? { experience: Number(stored.experience), integrity: Number(stored.integrity) }
      : merchantScores({ experience: 0, integrity: 0 }, policy.numbers.trust);
    return {
      ...snapshotView(standing(scores, recentOrders, policy.numbers.trust)),
      // Not asked, so not read: false is never shown.
      highRepurchase: repurchase ? isHighRepurchase(repurchase, policy.numbers) : false,
      computedAt: stored ? new Date(stored.computed_at as string) : null,
      merchantId: merchant.id,
    };
  },

  async factors(ctx: ServiceContext, merchantId: string): Promise<TrustFactorView[]> {
    const { trust } = (await policiesService.inForce(ctx)).numbers;
    const sums = await ctx.loaders.trust.factors.load(merchantId);
    return sums
      .filter((sum) => sum.count !== 0 || sum.experience !== 0 || sum.integrity !== 0)
      .map((sum) => ({
        name: sum.factor,
        value: sum.count,
        weight: formatScaled(deltasOf(sum.factor, trust).experience, EXPERIENCE_SCALE, 4),
        contribution: formatScaled(sum.experience, EXPERIENCE_SCALE, 4),
        integrityContribution: formatScaled(sum.integrity, 100, 2),
      }));
  },

  history(
    ctx: ServiceContext,
    merchantId: string,
    page: PageArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<ScoreEvent>> {
    return ctx.loaders.trust.history.load({ parentId: merchantId, args: page, ...countAsked(asked) });
  },

  async productExperience(ctx: ServiceContext, product: { id: string }): Promise<string> {
    const stored = await ctx.loaders.trust.productScore.load(product.id);
    const value = stored
      ? Number(stored.experience)
      : (await policiesService.inForce(ctx)).numbers.trust.productBaseline;
    return formatScaled(value, 100, 2);
  },

  /** Stored risk, or for a buyer without facts, the risk of its tag alone. */
  async buyerRisk(ctx: ServiceContext, buyer: { id: string; malicious: boolean }): Promise<BuyerRiskView> {
    const stored = await ctx.loaders.trust.buyerRisk.load(buyer.id);
    if (stored) {
      return {
        score: formatScaled(Number(stored.score), 100, 2),
        level: stored.level as RiskLevel,
        reasons: stored.reasons as string[],
      };
    }
    const risk = buyerRisk(
      { orders: 0, refundOnly: 0, rejectedClaims: 0, malicious: buyer.malicious },
      (await policiesService.inForce(ctx)).numbers.trust,
    );
    return { score: formatScaled(risk.score, 100, 2), level: risk.level, reasons: risk.reasons };
  },

  eventsOfCase(ctx: ServiceContext, caseId: string): Promise<ScoreEvent[]> {
    return ctx.loaders.trust.eventsByCase.load(caseId);
  },

  event(ctx: ServiceContext, id: string): Promise<ScoreEvent | null> {
    return ctx.loaders.trust.eventById.load(id);
  },

  voidedBy(ctx: ServiceContext, event: ScoreEvent): Promise<ScoreEvent | null> {
    return ctx.loaders.trust.voidOf.load(event.id);
  },
};
