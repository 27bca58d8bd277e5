import { GraphQLError } from 'graphql';
import createSubscriber, { type Subscriber } from 'pg-listen';
import { liveEventsPublished } from '../../observability/metrics';
import type { LiveFeed } from '../../server/gateway-module';
import { logger } from '../../shared/logger';
import { decodeBatch, LIVE_CHANNEL, type LiveEvent, type LiveEventKind } from './live.events';

/**
 * Events a subscriber may have waiting before it counts as too slow and its subscription ends: room
 * for the burst of a large commit (a 1,000-order ingest announces about 3,000 lines at once), while a
 * stalled client holds a few megabytes at most.
 */
export const MAX_QUEUED_EVENTS = 10_000;

export interface LiveFilter {
  /** null: every merchant (staff only). */
  merchantId: string | null;
  kinds: ReadonlySet<LiveEventKind> | null;
}

/**
 * One subscription's events: a bounded queue between the hub and the socket. A consumer that falls
 * MAX_QUEUED_EVENTS behind gets an error and the subscription ends (it can subscribe again and
 * refetch), so a slow client never holds memory without bound.
 */
class LiveStream implements AsyncIterableIterator<LiveEvent> {
  private readonly queue: LiveEvent[] = [];
  private waiting: ((result: IteratorResult<LiveEvent>) => void) | undefined;
  private failure: GraphQLError | undefined;
  private closed = false;

  constructor(
    readonly filter: LiveFilter,
    private readonly maxQueued: number,
    private readonly onClose: (stream: LiveStream) => void,
  ) {}

  /** A committed transaction's matching events, in order. */
  offer(events: LiveEvent[]): void {
    if (this.closed || this.failure || !events.length) return; // a failed stream only waits to report it
    if (this.queue.length + events.length > this.maxQueued) {
      this.failure = new GraphQLError(
        `the client fell ${this.maxQueued} events behind; subscribe again with \`after\` to resume`,
        { extensions: { code: 'SLOW_CONSUMER' } },
      );
      this.queue.length = 0;
      return;
    }
    this.queue.push(...events);
    if (this.waiting) {
      const deliver = this.waiting;
      this.waiting = undefined;
      deliver({ value: this.queue.shift()!, done: false });
    }
  }

  next(): Promise<IteratorResult<LiveEvent>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      this.close();
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<LiveEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    this.onClose(this);
  }
}

/**
 * The process's end of the live feed: one LISTEN connection (pg-listen, which reconnects) and the
 * subscriptions of this process's sockets. Whatever replica committed an event, every replica's hub
 * receives it and hands it to its matching subscriptions.
 */
export class LiveHub implements LiveFeed {
  private readonly streams = new Set<LiveStream>();
  private subscriber: Subscriber | undefined;

  constructor(private readonly maxQueuedEvents = MAX_QUEUED_EVENTS) {}

  async start(connectionString: string): Promise<void> {
    // Retries for as long as the database is away (pg-listen gives up after 3 s by default); events
    // committed meanwhile are not replayed, which is why consoles refetch when they reconnect.
    const subscriber = createSubscriber(
      { connectionString },
      { retryLimit: Infinity, retryTimeout: Infinity, retryInterval: (attempt) => Math.min(10_000, 500 * attempt) },
    );
    subscriber.events.on('error', (error) => logger.error({ err: error }, 'live feed listener failed'));
    subscriber.events.on('reconnect', (attempt) => logger.warn({ attempt }, 'live feed listener reconnecting'));
    subscriber.notifications.on(LIVE_CHANNEL, (payload: Parameters<typeof decodeBatch>[0]) =>
      this.deliver(decodeBatch(payload)),
    );
    await subscriber.connect();
    await subscriber.listenTo(LIVE_CHANNEL);
    this.subscriber = subscriber;
  }

  async stop(): Promise<void> {
    for (const stream of [...this.streams]) stream.close();
    await this.subscriber?.close();
    this.subscriber = undefined;
  }

  /** Events matching the filter, from now on. */
  subscribe(filter: LiveFilter): AsyncIterableIterator<LiveEvent> {
    const stream = new LiveStream(filter, this.maxQueuedEvents, (closed) => this.streams.delete(closed));
    this.streams.add(stream);
    return stream;
  }

  get subscriptions(): number {
    return this.streams.size;
  }

  /** Hands a batch of events received from PostgreSQL (one transaction's, one merchant's) to the matching subscriptions. */
  deliver(events: LiveEvent[]): void {
    for (const event of events) liveEventsPublished.inc({ kind: event.kind });
    for (const stream of this.streams) {
      const { merchantId, kinds } = stream.filter;
      stream.offer(
        events.filter(
          (event) => (merchantId === null || merchantId === event.merchantId) && (!kinds || kinds.has(event.kind)),
        ),
      );
    }
  }
}

/** The process's hub; started by the server when it serves subscriptions. */
export const liveHub = new LiveHub();
