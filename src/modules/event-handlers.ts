import { type EventBus, eventBus } from '../db/events';
import type { DomainEventOf } from '../shared/domain-events';
import { logger } from '../shared/logger';
import { breakersService } from './after-sales/after-sales.breakers';
import { appealsService } from './appeals/appeals.service';
import { LedgerKind } from './ledger/ledger.enums';
import { subsidiesService } from './ledger/subsidies.service';
import { AUDITED_EVENTS, auditService } from './audit/audit.service';
import { publishLiveEvents } from './live/live.events';
import { merchantsService } from './merchants/merchants.service';
import { trustOutcomeHandlers } from './trust/trust.outcomes';
import { trustService } from './trust/trust.service';
import { warningsService } from './warnings/warnings.service';

/** What a consequence runs after: the cause's audit line and its live announcement. */
const RECORDED = ['audit.record', 'live.publish'];

/**
 * Every domain-event handler of the gateway, in one place: who listens to what. Called once at
 * start-up by everything that runs services (the server, the CLI, jobs, tests); a second call
 * changes nothing.
 *
 * | event                   | emitted by                                 | blocking handlers                                       |
 * |-------------------------|--------------------------------------------|---------------------------------------------------------|
 * | OrderPlaced             | ingestOrders, every new order              | after-sales: breaker samples; warnings: abnormal order   |
 * | OrderFlaggedAbnormal    | warnings, an abnormal-order warning        | ledger: promotion-fee rebate of a promoted order         |
 * | ProductPriceHeld        | upsertProduct, a price far below median    | warnings: the low-price warning                          |
 * | OrderShipped            | ingestOrders, transitionOrder → SHIPPED    | trust: on-time / late score; ledger: remote transfer fee |
 * | OrderCompleted          | ingestOrders, transitionOrder → COMPLETED  | ledger: technical service fee                            |
 * | OrderRefunded           | ingestOrders, transitionOrder → REFUNDED,  | ledger: promotion-fee rebate of a promoted order         |
 * |                         | ruleOnCase / decideRefundOnly in full      |                                                          |
 * | OrderVoided             | voidOrderForPriceError, ingestOrders       | ledger: the buyer's price-error compensation             |
 * | OrderCancelled          | ingestOrders, transitionOrder → CANCELLED  |                                                          |
 * | BuyerFlagsChanged       | upsertBuyer                                | trust: the buyer's risk; warnings: its unshipped orders  |
 * | MerchantStatusChanged   | setMerchantStatus, an upheld PENALTY appeal|                                                          |
 * | ScoreEventRecorded      | trust, whenever it writes score events     |                                                          |
 * | LedgerTransactionPosted | ledger, every posting and reversal         |                                                          |
 * | AfterSalesCaseOpened    | openAfterSalesCases                        | trust: a refund-only request on the buyer's record       |
 * | AfterSalesCaseRuled     | ruleOnCase, decideRefundOnly               | trust: fault / rejected claim; ledger: case payouts      |
 * | AppealDecided           | decideAppeal, the appeal SLA job           | ledger: compensation, fee rebates; trust: voids, outcome;|
 * |                         |                                            | merchants: an upheld penalty reversed                    |
 *
 * Every handler has a name and declares what it runs after (`EventBus.handlerNames` lists a type's
 * order). Before the handlers above, the audit module writes a line of the merchant's audit log for
 * every event about a merchant's account (AUDITED_EVENTS), in the same transaction: every handler that
 * may emit runs after it, so a cause's line precedes its consequences'.
 *
 * Right after each line, the live module NOTIFYs the same event to merchant consoles (`merchantEvents`
 * subscription), in the transaction, so PostgreSQL delivers them to every replica only if it commits,
 * in the audit log's order.
 *
 * After commit, each event is logged at debug level.
 */
export function registerEventHandlers(bus: EventBus = eventBus): void {
  if (bus.isReady) return;
  // An action's audit line, in its own transaction, before the lines of what it caused: every
  // handler that may emit (a consequence) runs after the line and its announcement.
  for (const type of AUDITED_EVENTS) bus.onBlocking(type, { name: 'audit.record' }, auditService.record);
  // The live feed announces each line as it is recorded, so it tells a console what happened in the
  // audit log's order (cause before consequence), delivered by PostgreSQL at commit.
  for (const type of AUDITED_EVENTS)
    bus.onBlocking(type, { name: 'live.publish', after: ['audit.record'] }, publishLiveEvents);
  const consequence = (name: string, after: string[] = []) => ({ name, after: [...RECORDED, ...after] });
  bus.onBlocking('OrderShipped', consequence('trust.shipments'), (tx, events) =>
    trustService.onOrdersShipped(tx, events, appealsService.forceMajeureExcuses),
  );
  bus.onBlocking(
    'OrderShipped',
    consequence('ledger.remoteTransferFee'),
    subsidiesService.postsAutomatically(LedgerKind.REMOTE_LOGISTICS_FEE, (e: DomainEventOf<'OrderShipped'>) =>
      e.remoteRegion ? `order shipped to a remote region ${e.shippedAt.toISOString()}` : null,
    ),
  );
  bus.onBlocking(
    'OrderCompleted',
    consequence('ledger.techServiceFee'),
    subsidiesService.postsAutomatically(
      LedgerKind.TECH_SERVICE_FEE,
      (e: DomainEventOf<'OrderCompleted'>) => `order completed ${e.completedAt.toISOString()}`,
    ),
  );
  bus.onBlocking(
    'OrderRefunded',
    consequence('ledger.promotionRebateOnRefund'),
    subsidiesService.postsAutomatically(
      LedgerKind.PROMOTION_FEE_REBATE,
      (e: DomainEventOf<'OrderRefunded'>) => `order fully refunded ${e.refundedAt.toISOString()}`,
    ),
  );
  bus.onBlocking(
    'OrderVoided',
    consequence('ledger.priceErrorCompensation'),
    subsidiesService.postsAutomatically(
      LedgerKind.PRICE_ERROR_COMPENSATION,
      (e: DomainEventOf<'OrderVoided'>) => `order voided ${e.voidedAt.toISOString()}`,
    ),
  );
  bus.onBlocking('BuyerFlagsChanged', consequence('trust.buyerRisk'), trustService.onBuyerFlagsChanged);
  // A buyer tagged MALICIOUS after ordering: its unshipped orders flagged, with the risk just updated.
  bus.onBlocking(
    'BuyerFlagsChanged',
    consequence('warnings.flaggedBuyerOrders', ['trust.buyerRisk']),
    warningsService.onBuyerFlagsChanged,
  );
  bus.onBlocking('OrderPlaced', consequence('afterSales.breakerSamples'), breakersService.onOrdersPlaced);
  // A buyer's breaker reading includes the order being placed.
  bus.onBlocking(
    'OrderPlaced',
    consequence('warnings.abnormalOrders', ['afterSales.breakerSamples']),
    warningsService.onOrdersPlaced,
  );
  bus.onBlocking('ProductPriceHeld', consequence('warnings.lowPrice'), warningsService.onPricesHeld);
  bus.onBlocking(
    'OrderFlaggedAbnormal',
    consequence('ledger.promotionRebateOnAbnormal'),
    subsidiesService.postsAutomatically(
      LedgerKind.PROMOTION_FEE_REBATE,
      (e: DomainEventOf<'OrderFlaggedAbnormal'>) => `order flagged abnormal: ${e.reasons.join('; ')}`,
      { flaggedAbnormal: true },
    ),
  );
  bus.onBlocking('AfterSalesCaseOpened', consequence('trust.caseOpened'), trustOutcomeHandlers.onCasesOpened);
  bus.onBlocking('AfterSalesCaseRuled', consequence('trust.caseRuled'), trustOutcomeHandlers.onCasesRuled);
  bus.onBlocking('AfterSalesCaseRuled', consequence('ledger.casePayouts'), subsidiesService.onCasesRuled);
  bus.onBlocking('AppealDecided', consequence('ledger.appealPayouts'), subsidiesService.onAppealsDecided);
  bus.onBlocking('AppealDecided', consequence('trust.appealOutcome'), trustOutcomeHandlers.onAppealsDecided);
  bus.onBlocking('AppealDecided', consequence('merchants.penaltyReversal'), merchantsService.onAppealsDecided);
  for (const type of [
    'OrderPlaced',
    'OrderShipped',
    'OrderCompleted',
    'OrderRefunded',
    'OrderCancelled',
    'OrderVoided',
    'BuyerFlagsChanged',
    'MerchantStatusChanged',
    'ScoreEventRecorded',
    'LedgerTransactionPosted',
    'AfterSalesCaseOpened',
    'AfterSalesCaseRuled',
    'ProductPriceHeld',
    'OrderFlaggedAbnormal',
    'AppealDecided',
    'AppealMoved',
    'AfterSalesCaseDecided',
  ] as const) {
    bus.onCommitted(type, (event) => logger.debug({ event }, 'domain event committed'));
  }
  bus.markReady();
}
