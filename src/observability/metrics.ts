import http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { eventBus } from '../db/events';

/**
 * The gateway's Prometheus metrics, one registry per process. Every label takes values from a set the
 * gateway controls (error codes, ledger kinds, job names, a capped set of operation names), so a
 * client cannot grow the registry without bound.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const requestDuration = new Histogram({
  name: 'weiquan_graphql_request_duration_seconds',
  help: 'GraphQL requests by operation name, operation type and outcome',
  labelNames: ['operation', 'type', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const userErrors = new Counter({
  name: 'weiquan_graphql_user_errors_total',
  help: 'userErrors returned by mutations, by code',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: 'weiquan_graphql_errors_total',
  help: 'GraphQL errors in responses, by extensions.code',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const rejectedDocuments = new Counter({
  name: 'weiquan_graphql_rejected_documents_total',
  help: 'Documents refused before execution, by the limit or check that refused them',
  labelNames: ['reason'] as const,
  registers: [registry],
});

const ledgerPostings = new Counter({
  name: 'weiquan_ledger_postings_total',
  help: 'Committed ledger transactions (postings and reversals), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

const ledgerAmount = new Counter({
  // In fen, like the ledger: integers stay exact in a float64 counter up to 2^53.
  name: 'weiquan_ledger_posted_fen_total',
  help: 'Absolute amount of committed ledger transactions in fen (1/100 yuan), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const jobRuns = new Counter({
  name: 'weiquan_job_runs_total',
  help: 'Scheduled job runs, by job and outcome (ok, failed)',
  labelNames: ['job', 'outcome'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'weiquan_job_duration_seconds',
  help: 'Scheduled job run time, by job',
  labelNames: ['job'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900],
  registers: [registry],
});

export const liveEventsPublished = new Counter({
  name: 'weiquan_live_events_received_total',
  help: 'Live events this replica received from PostgreSQL (committed on any replica), by kind',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const liveSockets = new Gauge({
  name: 'weiquan_live_sockets',
  help: 'Open GraphQL-over-WebSocket connections on this replica',
  registers: [registry],
});

export const liveSocketsRefused = new Counter({
  name: 'weiquan_live_sockets_closed_total',
  help: 'WebSocket connections the gateway closed, by reason (unauthenticated, too_many, expired, idle, slow)',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** Knex's pool (tarn) behind MikroORM: what it reports when scraped. */
interface PoolReadings {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

let observedOrm: MikroORM | undefined;
new Gauge({
  name: 'weiquan_db_pool_connections',
  help: "Connections of the gateway's database pool: in use, idle, and requests waiting for one",
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const pool = observedOrm?.em.getConnection().getKnex().client.pool as PoolReadings | undefined;
    if (!pool) return;
    this.set({ state: 'in_use' }, pool.numUsed());
    this.set({ state: 'idle' }, pool.numFree());
    this.set({ state: 'waiting' }, pool.numPendingAcquires());
  },
});

let eventsObserved = false;

/** Starts measuring the process's database pool and its committed ledger postings. */
export function observeGateway(orm: MikroORM): void {
  observedOrm = orm;
  if (eventsObserved) return;
  eventsObserved = true;
  // After commit: a rolled-back posting never counts.
  eventBus.onCommitted('LedgerTransactionPosted', (event) => {
    ledgerPostings.inc({ kind: event.kind });
    ledgerAmount.inc({ kind: event.kind }, Math.abs(event.amount));
  });
}

/** Operation names seen so far; past the cap, new names are reported as "other". */
const MAX_OPERATION_NAMES = 200;
const operationNames = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (operationNames.has(name)) return name;
  if (operationNames.size >= MAX_OPERATION_NAMES) return 'other';
  operationNames.add(name);
  return name;
}

/**
 * `/metrics` on a port of its own, so it is never reachable where the API is published: scrape it
 * from inside the cluster.
 */
export async function startMetricsServer(port: number, host = '0.0.0.0'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => (server.off('error', reject), resolve()));
  });
  return server;
}
