import type { EntityClass } from '@mikro-orm/core';
import type { Loaders } from '../db/session';
import type { TenantDb } from '../db/tenant-db';

/**
 * What one module contributes to the gateway. `src/modules/index.ts` lists the modules; the entry points
 * (main, the CLI, jobs, tests, benchmarks) pass that list to the ORM config, the schema builder and the
 * request context, so nothing below the modules names one.
 */
export interface GatewayModule {
  name: string;
  /** Its MikroORM entities. */
  entities: readonly EntityClass<object>[];
  /** Its type-graphql resolver classes. */
  resolvers: readonly (abstract new (...args: never[]) => object)[];
  /**
   * Its per-request loaders under `ctx.loaders[key]` (the module declares the key's type on `Loaders`),
   * made on a request's first use; `loaders` reaches other modules' loaders the same way.
   */
  loaders?: { key: keyof Loaders; create(db: TenantDb, loaders: Loaders): Loaders[keyof Loaders] };
}

/**
 * The live feed's process-wide half (LISTEN on PostgreSQL, fan-out to this replica's subscribers): the
 * HTTP server starts and stops it and hands it to each subscription's context, where the live module
 * that made it uses the rest of it.
 */
export interface LiveFeed {
  start(clientUrl: string): Promise<void>;
  stop(): Promise<void>;
}

/** The modules a gateway is made of, how their domain-event handlers are wired (once per process), and its live feed. */
export interface Composition {
  modules: readonly GatewayModule[];
  registerEventHandlers(): void;
  /** `maxQueuedEvents`: how far a subscriber may fall behind before it is dropped (the feed's default when absent). */
  createLiveFeed(maxQueuedEvents?: number): LiveFeed;
}
