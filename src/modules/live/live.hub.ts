import { GraphQLError } from 'graphql';
import createSubscriber, { type Subscriber } from 'pg-listen';
import { liveEventsPublished } from '../../observability/metrics';
import { logger } from '../../shared/logger';
import { LIVE_CHANNEL, type LiveEvent, type LiveEventKind } from './live.events';

/** Events a subscriber may have waiting before it counts as too slow and its subscription ends. */
export const MAX_QUEUED_EVENTS = 100;

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
    private readonly onClose: (stream: LiveStream) => void,
  ) {}

  offer(event: LiveEvent): void {
    if (this.closed || this.failure) return; // a failed stream only waits to report its failure
    if (this.waiting) {
      const deliver = this.waiting;
      this.waiting = undefined;
      deliver({ value: event, done: false });
    } else if (this.queue.length >= MAX_QUEUED_EVENTS) {
      this.failure = new GraphQLError(
        `the client fell ${MAX_QUEUED_EVENTS} events behind; subscribe again and refetch what changed`,
        { extensions: { code: 'SLOW_CONSUMER' } },
      );
      this.queue.length = 0;
    } else {
      this.queue.push(event);
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
export class LiveHub {
  private readonly streams = new Set<LiveStream>();
  private subscriber: Subscriber | undefined;

  async start(connectionString: string): Promise<void> {
    // Retries for as long as the database is away (pg-listen gives up after 3 s by default); events
    // committed meanwhile are not replayed, which is why consoles refetch when they reconnect.
    const subscriber = createSubscriber(
      { connectionString },
      { retryLimit: Infinity, retryTimeout: Infinity, retryInterval: (attempt) => Math.min(10_000, 500 * attempt) },
    );
    subscriber.events.on('error', (error) => logger.error({ err: error }, 'live feed listener failed'));
    subscriber.events.on('reconnect', (attempt) => logger.warn({ attempt }, 'live feed listener reconnecting'));
    subscriber.notifications.on(LIVE_CHANNEL, (event: LiveEvent) => this.deliver(event));
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
    const stream = new LiveStream(filter, (closed) => this.streams.delete(closed));
    this.streams.add(stream);
    return stream;
  }

  get subscriptions(): number {
    return this.streams.size;
  }

  /** Hands an event received from PostgreSQL to the matching subscriptions. */
  deliver(event: LiveEvent): void {
    liveEventsPublished.inc({ kind: event.kind });
    for (const stream of this.streams) {
      const { merchantId, kinds } = stream.filter;
      if ((merchantId === null || merchantId === event.merchantId) && (!kinds || kinds.has(event.kind)))
        stream.offer(event);
    }
  }
}

/** The process's hub; started by the server when it serves subscriptions. */
export const liveHub = new LiveHub();
