import { print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { MerchantEventsSubscription } from '../generated/graphql';
import { MerchantEventsDocument } from '../generated/graphql';
import { eventually } from './wait';

type Event = MerchantEventsSubscription['merchantEvents'];

export interface LiveSubscription {
  events: Event[];
  errors: unknown[];
  /** Resolves once `count` events have arrived. */
  received(count: number, ms?: number): Promise<Event[]>;
  stop(): void;
}

export interface LiveClient {
  client: Client;
  /** Resolves with the close code once the server closes the socket. */
  closed: Promise<number>;
  subscribe(variables?: { kinds?: string[]; merchantId?: string; after?: string }, query?: string): LiveSubscription;
  dispose(): Promise<void>;
}

/** A real graphql-ws client over `ws`, signed in with `connectionParams`, that never reconnects. */
export function liveClient(port: number, token: string | null, options: { lazy?: boolean } = {}): LiveClient {
  let closedWith: (code: number) => void;
  const closed = new Promise<number>((resolve) => (closedWith = resolve));
  const client = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: options.lazy ?? false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    on: { closed: (event) => closedWith((event as { code: number }).code) },
  });
  return {
    client,
    closed,
    subscribe(variables = {}, query = print(MerchantEventsDocument)) {
      const events: Event[] = [];
      const errors: unknown[] = [];
      const stop = client.subscribe<MerchantEventsSubscription>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors) errors.push(...result.errors);
            if (result.data) events.push(result.data.merchantEvents);
          },
          // Refused before execution: the server sends the errors as one list.
          error: (error) => errors.push(...(Array.isArray(error) ? error : [error])),
          complete: () => {},
        },
      );
      return {
        events,
        errors,
        received: (count, ms = 10_000) =>
          eventually(
            () => events.length >= count && events,
            `${count} events (${JSON.stringify({ events, errors })})`,
            {
              ms,
              everyMs: 25,
            },
          ),
        stop,
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

/**
 * Pokes (a payout, say) until every subscription has heard something: proof that they listen. A
 * subscription is set up over its WebSocket in its own time, and what commits before it listens is
 * never announced to it.
 */
export async function listeningTo(subscriptions: LiveSubscription[], poke: () => Promise<unknown>) {
  const deaf = () => subscriptions.filter((s) => !s.events.length);
  for (let attempt = 0; attempt < 8 && deaf().length; attempt++) {
    await poke();
    await eventually(() => !deaf().length, 'the poke', { ms: 2_000, everyMs: 25 }).catch(() => {});
  }
  if (deaf().length) throw new Error(`${deaf().length} subscription(s) never heard a poke`);
}
