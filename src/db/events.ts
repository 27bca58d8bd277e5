import type { DomainEvent, DomainEventOf, DomainEventType } from '../shared/domain-events';
import { logger } from '../shared/logger';
import type { Tx } from './session';

/** Gets every event of its type that one `emit` call carried, so a batch is handled in a few statements. */
type BlockingHandler<T extends DomainEventType> = (events: DomainEventOf<T>[], tx: Tx) => Promise<void>;
type AfterCommitHandler<T extends DomainEventType> = (event: DomainEventOf<T>) => Promise<void> | void;
type AnyBlocking = (events: DomainEvent[], tx: Tx) => Promise<void>;
type AnyAfterCommit = (event: DomainEvent) => Promise<void> | void;

/**
 * Typed domain events, after Vendure's EventBus. Blocking handlers run inside the emitting
 * transaction with its EntityManager, so their writes commit with it and their failure rolls it all
 * back. After-commit handlers run once the transaction has committed (notifications, live updates);
 * their failures are logged and change nothing. Handlers are registered once, at start-up, in
 * `modules/event-handlers.ts`.
 */
export class EventBus {
  private readonly blocking = new Map<DomainEventType, AnyBlocking[]>();
  private readonly afterCommit = new Map<DomainEventType, AnyAfterCommit[]>();
  private ready = false;

  onBlocking<T extends DomainEventType>(type: T, handler: BlockingHandler<T>): void {
    this.blocking.set(type, [...(this.blocking.get(type) ?? []), handler as unknown as AnyBlocking]);
  }

  onCommitted<T extends DomainEventType>(type: T, handler: AfterCommitHandler<T>): void {
    this.afterCommit.set(type, [...(this.afterCommit.get(type) ?? []), handler as unknown as AnyAfterCommit]);
  }

  /** Called once every module's handlers are registered; events before that are a wiring bug. */
  markReady(): void {
    this.ready = true;
  }

  get isReady(): boolean {
    return this.ready;
  }

  async runBlocking(events: readonly DomainEvent[], tx: Tx): Promise<void> {
    if (!events.length) return;
    if (!this.ready)
      throw new Error(`domain event ${events[0].type} emitted before the event handlers were registered`);
    const byType = new Map<DomainEventType, DomainEvent[]>();
    for (const event of events) byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
    for (const [type, ofType] of byType) {
      for (const handler of this.blocking.get(type) ?? []) await handler(ofType, tx);
    }
  }

  async runAfterCommit(events: readonly DomainEvent[]): Promise<void> {
    for (const event of events) {
      for (const handler of this.afterCommit.get(event.type) ?? []) {
        try {
          await handler(event);
        } catch (error) {
          logger.error({ err: error, event: event.type }, 'after-commit event handler failed');
        }
      }
    }
  }
}

/** The process's one bus. */
export const eventBus = new EventBus();
