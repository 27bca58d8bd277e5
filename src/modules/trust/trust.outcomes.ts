import type { Tx } from '../../db/transaction';
import type { DomainEventOf } from '../../shared/domain-events';
import { ScoreEvent } from './trust.entity';
import { ScoreFactor } from './trust.enums';
import { type ResolvedEvent, voidOf, writeEvents } from './trust.service';

/**
 * What after-sales cases and appeals do to scores, as blocking handlers of their events: the facts on
 * the buyer's and the merchant's records, and the voiding of deductions an upheld appeal removes.
 */
export const trustOutcomeHandlers = {
  /** Handles `AfterSalesCaseOpened`: a refund-only request counts toward the buyer's risk. */
  async onCasesOpened(tx: Tx, events: DomainEventOf<'AfterSalesCaseOpened'>[]): Promise<void> {
    const refundOnly = events.filter((opened) => opened.refundOnly);
    if (!refundOnly.length) return;
    await writeEvents(
      tx,
      refundOnly.map((opened) => ({
        factor: ScoreFactor.REFUND_ONLY_REQUESTED,
        merchantId: null,
        productId: null,
        buyerId: opened.buyerId,
        orderId: opened.orderId,
        caseId: opened.caseId,
        occurredAt: opened.openedAt,
        reason: 'refund-only requested',
      })),
    );
  },

  /**
   * Handles `AfterSalesCaseRuled`: the merchant (and the product) at fault or not, and a rejected claim
   * on the buyer's record; each event cites the case.
   */
  async onCasesRuled(tx: Tx, events: DomainEventOf<'AfterSalesCaseRuled'>[]): Promise<void> {
    await writeEvents(
      tx,
      events.flatMap((ruled) => {
        const cited = { orderId: ruled.orderId, caseId: ruled.caseId, occurredAt: ruled.ruledAt };
        const merchantEvent = {
          ...cited,
          factor: ruled.merchantAtFault
            ? ScoreFactor.AFTER_SALES_MERCHANT_AT_FAULT
            : ScoreFactor.AFTER_SALES_NOT_AT_FAULT,
          merchantId: ruled.merchantId,
          productId: ruled.productId,
          buyerId: null,
          reason: `after-sales case ruled ${ruled.ruling}${ruled.merchantAtFault ? ': the merchant was at fault' : ''}`,
        };
        if (ruled.ruling !== 'REJECTED') return [merchantEvent];
        return [
          merchantEvent,
          {
            ...cited,
            factor: ScoreFactor.CLAIM_REJECTED,
            merchantId: null,
            productId: null,
            buyerId: ruled.buyerId,
            reason: 'after-sales claim rejected',
          },
        ];
      }),
    );
  },

  /**
   * Handles `AppealDecided`: the appeal's own score event (upheld or rejected) and, when upheld, the
   * voiding of every merchant deduction that came from the subject (the event itself, or those of the
   * order or case), so the score is restored in the decision's transaction.
   */
  async onAppealsDecided(tx: Tx, events: DomainEventOf<'AppealDecided'>[]): Promise<void> {
    const { em } = tx;
    const voids: ResolvedEvent[] = [];
    for (const decided of events.filter((e) => e.upheld)) {
      const where =
        decided.subjectType === 'SCORE_EVENT'
          ? { id: decided.subjectId }
          : decided.subjectType === 'ORDER'
            ? { order: decided.subjectId }
            : decided.subjectType === 'AFTER_SALES_CASE'
              ? { caseId: decided.subjectId }
              : null;
      if (!where) continue;
      const deductions = await em.find(ScoreEvent, {
        ...where,
        merchant: decided.merchantId,
        voids: null,
        $or: [{ experienceDelta: { $lt: 0 } }, { integrityDelta: { $lt: 0 } }],
      });
      const voided = new Set(
        (await em.find(ScoreEvent, { voids: { $in: deductions.map((d) => d.id) } })).map((v) => v.voids!.id),
      );
      for (const original of deductions.filter((d) => !voided.has(d.id))) {
        voids.push(voidOf(original, `appeal upheld: ${decided.reason}`, decided.appealId));
      }
    }
    const outcomes: ResolvedEvent[] = events.map((decided) => ({
      factor: decided.upheld ? ScoreFactor.APPEAL_UPHELD : ScoreFactor.APPEAL_REJECTED,
      merchantId: decided.merchantId,
      productId: null,
      buyerId: null,
      orderId: decided.orderId,
      appealId: decided.appealId,
      occurredAt: decided.at,
      reason: `appeal ${decided.upheld ? 'upheld' : 'rejected'}: ${decided.reason}`,
    }));
    await writeEvents(tx, [...voids, ...outcomes]);
  },
};
