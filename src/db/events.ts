import type { DomainEvent, DomainEventOf, DomainEventType } from '../shared/domain-events';
import { logger } from '../shared/logger';
import type { Tx } from './session';

/** Gets every event of its type that one `emit` call carried, so a batch is handled in a few statements. */
type BlockingHandler<T extends DomainEventType> = (tx: Tx, events: DomainEventOf<T>[]) => Promise<void>;
type AfterCommitHandler<T extends DomainEventType> = (event: DomainEventOf<T>) => Promise<void> | void;
type AnyBlocking = (tx: Tx, events: DomainEvent[]) => Promise<void>;
type AnyAfterCommit = (event: DomainEvent) => Promise<void> | void;

/** A blocking handler's name (`module.what`), and the handlers it must run after when both handle an event. */
export interface HandlerOrder {
  name: string;
  after?: readonly string[];
}

interface Registered extends HandlerOrder {
  handler: AnyBlocking;
}

/**
 * The handlers of one event type in running order: each after those it names, otherwise in the order
 * registered. A name that no handler has, or a circle, is a wiring bug.
 */
function inRunningOrder(handlers: readonly Registered[], known: ReadonlySet<string>): Registered[] {
  for (const { name, after = [] } of handlers) {
    const unknown = after.filter((other) => !known.has(other));
    if (unknown.length) throw new Error(`event handler ${name} runs after unknown handlers: ${unknown.join(', ')}`);
  }
  const ordered: Registered[] = [];
  const pending = [...handlers];
  while (pending.length) {
    const next = pending.findIndex(({ after = [] }) =>
      after.every((other) => !pending.some((waiting) => waiting.name === other)),
    );
    if (next < 0) throw new Error(`event handlers wait for each other: ${pending.map((h) => h.name).join(', ')}`);
    ordered.push(...pending.splice(next, 1));
  }
  return ordered;
}

/**
 * Typed domain events, after Vendure's EventBus. Blocking handlers run inside the emitting
 * transaction with its EntityManager, so their writes commit with it and their failure rolls it all
 * back; each has a name and runs after the handlers it names (Vendure's before/after ids). After-commit handlers run once the transaction has committed (notifications, live updates);
 * their failures are logged and change nothing. Handlers are registered once, at start-up, in
 * `modules/event-handlers.ts`.
 */
export class EventBus {
  private readonly blocking = new Map<DomainEventType, Registered[]>();
  private readonly names = new Set<string>();
  /** Per type, in running order; cleared by each registration. */
  private readonly ordered = new Map<DomainEventType, Registered[]>();
  private readonly afterCommit = new Map<DomainEventType, AnyAfterCommit[]>();
  private ready = false;

  /**
   * `order.after`: handlers of the same event this one must follow (e.g. the live feed after the audit
   * line it announces); unrelated handlers run in the order registered.
   */
  onBlocking<T extends DomainEventType>(type: T, order: HandlerOrder, handler: BlockingHandler<T>): void {
    this.blocking.set(type, [
      ...(this.blocking.get(type) ?? []),
      { ...order, handler: handler as unknown as AnyBlocking },
    ]);
    this.names.add(order.name);
    this.ordered.clear();
  }

  /** The names of `type`'s blocking handlers, in the order they run. */
  handlerNames(type: DomainEventType): string[] {
    return this.handlersOf(type).map((h) => h.name);
  }

  private handlersOf(type: DomainEventType): Registered[] {
    let handlers = this.ordered.get(type);
    if (!handlers) this.ordered.set(type, (handlers = inRunningOrder(this.blocking.get(type) ?? [], this.names)));
    return handlers;
  }

  onCommitted<T extends DomainEventType>(type: T, handler: AfterCommitHandler<T>): void {
    this.afterCommit.set(type, [...(this.afterCommit.get(type) ?? []), handler as unknown as AnyAfterCommit]);
  }

  /** Called once every module's handlers are registered; events before that are a wiring bug. */
  markReady(): void {
    for (const type of this.blocking.keys()) this.handlersOf(type);
    this.ready = true;
  }

  get isReady(): boolean {
    return this.ready;
  }

  async runBlocking(tx: Tx, events: readonly DomainEvent[]): Promise<void> {
    if (!events.length) return;
    if (!this.ready)
      throw new Error(`domain event ${events[0].type} emitted before the event handlers were registered`);
    const byType = new Map<DomainEventType, DomainEvent[]>();
    for (const event of events) byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
    for (const [type, ofType] of byType) {
      for (const { handler } of this.handlersOf(type)) await handler(tx, ofType);
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
