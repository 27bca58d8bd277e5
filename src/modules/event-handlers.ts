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
 * | OrderRefunded           | ingestOrders, transitionOrder → REFUNDED   | ledger: promotion-fee rebate of a promoted order         |
 * | OrderVoided             | voidOrderForPriceError, ingestOrders       | ledger: the buyer's price-error compensation             |
 * | OrderCancelled          | ingestOrders, transitionOrder → CANCELLED  |                                                          |
 * | BuyerFlagsChanged       | upsertBuyer                                | trust: the buyer's risk; warnings: its unshipped orders  |
 * | MerchantStatusChanged   | setMerchantStatus                          |                                                          |
 * | ScoreEventRecorded      | trust, whenever it writes score events     |                                                          |
 * | LedgerTransactionPosted | ledger, every posting and reversal         |                                                          |
 * | AfterSalesCaseOpened    | openAfterSalesCases                        | trust: a refund-only request on the buyer's record       |
 * | AfterSalesCaseRuled     | ruleOnCase                                 | trust: fault / rejected claim; ledger: case payouts      |
 * | AppealDecided           | decideAppeal                               | ledger: compensation, fee rebates; trust: voids, outcome |
 *
 * Before those, the audit module writes a line of the merchant's audit log for every event about a
 * merchant's account (AUDITED_EVENTS), in the same transaction.
 *
 * Right after each line, the live module NOTIFYs the same event to merchant consoles (`merchantEvents`
 * subscription), in the transaction, so PostgreSQL delivers them to every replica only if it commits,
 * in the audit log's order.
 *
 * After commit, each event is logged at debug level.
 */
export function registerEventHandlers(bus: EventBus = eventBus): void {
  if (bus.isReady) return;
  // First, so an action's audit line comes before the lines of what it caused; in its own transaction.
  for (const type of AUDITED_EVENTS) bus.onBlocking(type, (events, tx) => auditService.record(events, tx));
  // Right after: the live feed announces each line as it is recorded, so it tells a console what happened
  // in the audit log's order (cause before consequence), delivered by PostgreSQL at commit.
  for (const type of AUDITED_EVENTS) bus.onBlocking(type, (events, tx) => publishLiveEvents(events, tx));
  bus.onBlocking('OrderShipped', (events, tx) =>
    trustService.onOrdersShipped(events, tx, appealsService.forceMajeureExcuses),
  );
  bus.onBlocking(
    'OrderShipped',
    subsidiesService.postsAutomatically(LedgerKind.REMOTE_LOGISTICS_FEE, (e: DomainEventOf<'OrderShipped'>) =>
      e.remoteRegion ? `order shipped to a remote region ${e.shippedAt.toISOString()}` : null,
    ),
  );
  bus.onBlocking(
    'OrderCompleted',
    subsidiesService.postsAutomatically(
      LedgerKind.TECH_SERVICE_FEE,
      (e: DomainEventOf<'OrderCompleted'>) => `order completed ${e.completedAt.toISOString()}`,
    ),
  );
  bus.onBlocking(
    'OrderRefunded',
    subsidiesService.postsAutomatically(
      LedgerKind.PROMOTION_FEE_REBATE,
      (e: DomainEventOf<'OrderRefunded'>) => `order fully refunded ${e.refundedAt.toISOString()}`,
    ),
  );
  bus.onBlocking(
    'OrderVoided',
    subsidiesService.postsAutomatically(
      LedgerKind.PRICE_ERROR_COMPENSATION,
      (e: DomainEventOf<'OrderVoided'>) => `order voided ${e.voidedAt.toISOString()}`,
    ),
  );
  bus.onBlocking('BuyerFlagsChanged', (events, tx) => trustService.onBuyerFlagsChanged(events, tx));
  // After the buyer's risk above: a buyer tagged MALICIOUS after ordering, its unshipped orders flagged.
  bus.onBlocking('BuyerFlagsChanged', (events, tx) => warningsService.onBuyerFlagsChanged(events, tx));
  bus.onBlocking('OrderPlaced', (events, tx) => breakersService.onOrdersPlaced(events, tx));
  // After the breaker samples above, so a buyer's reading includes the order being placed.
  bus.onBlocking('OrderPlaced', (events, tx) => warningsService.onOrdersPlaced(events, tx));
  bus.onBlocking('ProductPriceHeld', (events, tx) => warningsService.onPricesHeld(events, tx));
  bus.onBlocking(
    'OrderFlaggedAbnormal',
    subsidiesService.postsAutomatically(
      LedgerKind.PROMOTION_FEE_REBATE,
      (e: DomainEventOf<'OrderFlaggedAbnormal'>) => `order flagged abnormal: ${e.reasons.join('; ')}`,
      { flaggedAbnormal: true },
    ),
  );
  bus.onBlocking('AfterSalesCaseOpened', (events, tx) => trustOutcomeHandlers.onCasesOpened(events, tx));
  bus.onBlocking('AfterSalesCaseRuled', (events, tx) => trustOutcomeHandlers.onCasesRuled(events, tx));
  bus.onBlocking('AfterSalesCaseRuled', (events, tx) => subsidiesService.onCasesRuled(events, tx));
  bus.onBlocking('AppealDecided', (events, tx) => subsidiesService.onAppealsDecided(events, tx));
  bus.onBlocking('AppealDecided', (events, tx) => trustOutcomeHandlers.onAppealsDecided(events, tx));
  bus.onBlocking('AppealDecided', (events, tx) => merchantsService.onAppealsDecided(events, tx));
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
