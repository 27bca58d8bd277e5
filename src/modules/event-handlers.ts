import { type EventBus, eventBus } from '../db/events';
import { logger } from '../shared/logger';
import { trustService } from './trust/trust.service';

/**
 * Every domain-event handler of the gateway, in one place: who listens to what. Called once at
 * start-up by everything that runs services (the server, the CLI, jobs, tests); a second call
 * changes nothing.
 *
 * | event                   | emitted by                               | blocking handler              |
 * |-------------------------|------------------------------------------|-------------------------------|
 * | OrderShipped            | ingestOrders, transitionOrder → SHIPPED  | trust: on-time / late score   |
 * | OrderCompleted          | ingestOrders, transitionOrder → COMPLETED| (the ledger's fee, next)      |
 * | OrderRefunded           | ingestOrders, transitionOrder → REFUNDED | (the ledger's rebates, next)  |
 * | OrderCancelled          | ingestOrders, transitionOrder → CANCELLED|                               |
 * | MerchantStatusChanged   | setMerchantStatus                        |                               |
 * | ScoreEventRecorded      | trust, whenever it writes score events   |                               |
 * | LedgerTransactionPosted | ledger, every posting and reversal       |                               |
 *
 * After commit, each event is logged at debug level (notifications and live updates will hang here).
 */
export function registerEventHandlers(bus: EventBus = eventBus): void {
  if (bus.isReady) return;
  bus.onBlocking('OrderShipped', (events, tx) => trustService.onOrdersShipped(events, tx));
  for (const type of [
    'OrderShipped',
    'OrderCompleted',
    'OrderRefunded',
    'OrderCancelled',
    'MerchantStatusChanged',
    'ScoreEventRecorded',
    'LedgerTransactionPosted',
  ] as const) {
    bus.onCommitted(type, (event) => logger.debug({ event }, 'domain event committed'));
  }
  bus.markReady();
}
