import type { ServiceContext } from '../../db/session';
import { sqlRows } from '../../db/sql';
import { asPlatform, type Tx } from '../../db/transaction';
import type { DomainEventOf } from '../../shared/domain-events';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import type { PolicyNumbers } from '../policies/policy.schema';
import { BreakerSubject } from './after-sales.enums';
import { addToTallies, breakerWindowStart, chinaDay, readingsFromSums, tallySumsQuery } from './after-sales.query';
import type { BreakerReading } from './after-sales.rules';

/** The breakers' readings over the policy's rolling window, from the daily counters. */
export async function breakerReadings(
  ctx: ServiceContext,
  subjects: { subject: BreakerSubject; subjectId: string }[],
  policy: PolicyNumbers,
  now: Date,
): Promise<BreakerReading[]> {
  const rows = await sqlRows(ctx.em, tallySumsQuery(ctx.em.getKnex(), subjects, breakerWindowStart(now, policy)));
  return readingsFromSums(subjects, rows, policy);
}

/** The refund-only circuit breakers: their daily counters and their readings. */
export const breakersService = {
  breaker(ctx: ServiceContext, subject: BreakerSubject, subjectId: string): Promise<BreakerReading> {
    return ctx.loaders.afterSales.breaker.load({ subject, subjectId });
  },

  /** For other modules' transactions: the refund-only breaker readings of buyers, now. */
  async buyerBreakers(ctx: ServiceContext, buyerIds: string[]): Promise<Map<string, BreakerReading>> {
    const now = ctx.now();
    const policy = versionInForce(await policiesService.timelineIn(ctx), now);
    const readings = await breakerReadings(
      ctx,
      buyerIds.map((subjectId) => ({ subject: BreakerSubject.BUYER, subjectId })),
      policy.numbers,
      now,
    );
    return new Map(buyerIds.map((id, i) => [id, readings[i]]));
  },

  /** Handles `OrderPlaced`: each new order counts in its buyer's, merchant's and products' samples. */
  async onOrdersPlaced(tx: Tx, events: DomainEventOf<'OrderPlaced'>[]): Promise<void> {
    await asPlatform(tx, (platformTx) =>
      addToTallies(
        platformTx,
        events.flatMap((placed) => {
          const day = chinaDay(placed.paidAt);
          const one = { day, orders: 1, refundOnly: 0 };
          return [
            { ...one, subject: BreakerSubject.BUYER, subjectId: placed.buyerId, merchantId: null },
            { ...one, subject: BreakerSubject.MERCHANT, subjectId: placed.merchantId, merchantId: placed.merchantId },
            ...placed.productIds.map((productId) => ({
              ...one,
              subject: BreakerSubject.PRODUCT,
              subjectId: productId,
              merchantId: placed.merchantId,
            })),
          ];
        }),
      ),
    );
  },
};
