import type { ServiceContext } from '../../db/session';
import { LockMode } from '@mikro-orm/core';
import { yuanText } from '../../shared/money';
import { canReachMerchant } from '../../db/tenant-db';
import { asPlatform, runMutation, type Tx } from '../../db/transaction';
import { countAsked, type Page } from '../../graphql/connection';
import type { DomainEventOf } from '../../shared/domain-events';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { breakersService } from '../after-sales/after-sales.breakers';
import { buyersService } from '../buyers/buyers.service';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { ordersService } from '../orders/orders.service';
import { productsService } from '../products/products.service';
import { trustService } from '../trust/trust.service';
import { Warning } from './warnings.entity';
import { WarningKind, WarningStatus } from './warnings.enums';
import type { WarningListArgs } from './warnings.query';
import { abnormalReasons } from './warnings.rules';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';

export const warningsService = {
  /** `asked`: what the caller reads of the connection (its `totalCount` alone: no page of warnings is read). */
  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    args: WarningListArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<Warning>> {
    return ctx.loaders.warnings.byMerchant.load({ parentId: merchantId, args, ...countAsked(asked) });
  },

  /** Handles `ProductPriceHeld`: the low-price risk warning, with the median and the share. */
  async onPricesHeld(tx: Tx, events: DomainEventOf<'ProductPriceHeld'>[]): Promise<void> {
    for (const held of events) {
      tx.em.create(Warning, {
        id: held.warningId,
        kind: WarningKind.LOW_PRICE,
        merchant: held.merchantId,
        product: held.productId,
        status: WarningStatus.OPEN,
        message:
          `the new price ${yuanText(held.heldPrice)} is below ${held.belowMedianBp / 100}% of the product's median ` +
          `${yuanText(held.medianPrice)}: it is held until you confirm it`,
        heldPrice: held.heldPrice,
        medianPrice: held.medianPrice,
        policyVersion: held.policyVersion,
        raisedAt: held.at,
      });
    }
  },

  /**
   * Handles `OrderPlaced`: an order not yet shipped whose buyer is tagged MALICIOUS, at HIGH risk or
   * over its refund-only breaker is flagged to the merchant; a flagged promoted order's promotion fee
   * comes back (`OrderFlaggedAbnormal`).
   */
  async onOrdersPlaced(tx: Tx, events: DomainEventOf<'OrderPlaced'>[]): Promise<void> {
    const unshipped = events.filter((placed) => !placed.shipped);
    if (!unshipped.length) return;
    await asPlatform(tx, async (platformTx) => {
      const { em } = platformTx;
      const buyerIds = [...new Set(unshipped.map((placed) => placed.buyerId))];
      const buyers = await buyersService.findByIds(platformTx, buyerIds);
      const levels = await trustService.buyerRiskLevels(platformTx, buyers, tx.now());
      const breakers = await breakersService.buyerBreakers(platformTx, buyerIds);
      const reasonsOf = new Map(
        buyers.map((buyer) => [
          buyer.id,
          abnormalReasons({
            malicious: buyer.malicious,
            riskLevel: levels.get(buyer.id) ?? 'LOW',
            breakerTripped: breakers.get(buyer.id)?.tripped ?? false,
            breakerRateBp: breakers.get(buyer.id)?.rateBp ?? 0,
          }),
        ]),
      );
      const flagged = unshipped.filter((placed) => reasonsOf.get(placed.buyerId)?.length);
      if (!flagged.length) return;
      const now = tx.now();
      const version = versionInForce(await policiesService.timelineIn(platformTx), now).version;
      const raised = flagged.map((placed) => ({
        placed,
        warning: em.create(Warning, {
          kind: WarningKind.ABNORMAL_ORDER,
          merchant: placed.merchantId,
          order: placed.orderId,
          status: WarningStatus.OPEN,
          message: `check before shipping: ${reasonsOf.get(placed.buyerId)!.join('; ')}`,
          policyVersion: version,
          raisedAt: now,
        }),
      }));
      await tx.emit(
        ...raised.map(({ placed, warning }) => ({
          type: 'OrderFlaggedAbnormal' as const,
          warningId: warning.id,
          orderId: placed.orderId,
          merchantId: placed.merchantId,
          reasons: reasonsOf.get(placed.buyerId)!,
          at: now,
        })),
      );
    });
  },

  /**
   * Handles `BuyerFlagsChanged`: a buyer tagged MALICIOUS after ordering gets its orders not yet
   * shipped flagged now, as if they were placed today, each at most once.
   */
  async onBuyerFlagsChanged(tx: Tx, events: DomainEventOf<'BuyerFlagsChanged'>[]): Promise<void> {
    const tagged = [...new Set(events.filter((event) => event.malicious).map((event) => event.buyerId))];
    if (!tagged.length) return;
    await asPlatform(tx, async (platformTx) => {
      const orders = await ordersService.unshippedOfBuyers(platformTx, tagged);
      if (!orders.length) return;
      const warned = new Set(
        (
          await platformTx.em.find(Warning, {
            kind: WarningKind.ABNORMAL_ORDER,
            order: { $in: orders.map((order) => order.id) },
          })
        ).map((warning) => warning.order!.id),
      );
      await warningsService.onOrdersPlaced(
        platformTx,
        orders
          .filter((order) => !warned.has(order.id))
          .map((order) => ({
            type: 'OrderPlaced' as const,
            orderId: order.id,
            merchantId: order.merchant.id,
            buyerId: order.buyer.id,
            productIds: [],
            paidAt: order.paidAt,
            shipped: false,
          })),
      );
    });
  },

  /**
   * The merchant (or staff) acknowledges a warning; on a low-price warning `confirmPrice` applies the
   * held price. Once acknowledged, a warning stays so.
   */
  acknowledge(ctx: ServiceContext, input: { warningId: string; confirmPrice?: boolean | null }) {
    return runMutation(ctx, async (tx) => {
      const warning = await tx.em.findOne(Warning, { id: input.warningId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const fail = (code: RefusalCode, message: string, field: string) => {
        throw new Refused([refusal(code, message, ['input', field])]);
      };
      if (!warning || !canReachMerchant(tx.scope, warning.merchant.id)) {
        return fail(RefusalCode.NOT_FOUND, 'no such warning', 'warningId');
      }
      if (warning.status !== WarningStatus.OPEN)
        fail(RefusalCode.ILLEGAL_TRANSITION, 'already acknowledged', 'warningId');
      if (input.confirmPrice && warning.kind !== WarningKind.LOW_PRICE) {
        fail(RefusalCode.INVALID_INPUT, 'only a low-price warning holds a price', 'confirmPrice');
      }
      if (input.confirmPrice && warning.product && warning.heldPrice != null) {
        await productsService.applyPrice(tx, warning.product.id, warning.heldPrice);
      }
      warning.status = WarningStatus.ACKNOWLEDGED;
      warning.acknowledgedAt = tx.now();
      warning.acknowledgedBy = tx.actorLabel;
      return { warning };
    });
  },
};
