/**
 * `npm run bench`: the gateway and PostGraphile 5 side by side on one PostgreSQL and the same data.
 *
 *   npm run bench                      # scale 1: 2,000 merchants, 200,000 orders
 *   npm run bench -- --scale 0.1       # 200 merchants, 20,000 orders: under two minutes
 *   npm run bench -- --against HEAD~1 --seconds 3   # A/B of a change: both gateways in turns
 *   options: --seconds 10 --warmup 3 --connections 10 --only Q1,Q2,Q3,Q5,L,Z,P,R --tracing on|off --peers on|off
 *   --against <revision> --rounds 4 --processes 3; DATABASE_URL for an external (empty) database
 *
 * Each server runs in its own process (the gateway as `npm start` in production mode, PostGraphile on
 * Node 22 from bench/peer) with a pool of 10; PostGraphile once as the gateway's RLS role with the same
 * tenant settings and once as the owner without RLS. Every response body is checked, and both sides
 * must return the same data. The gateway runs a second time with tracing exporting over OTLP (to a
 * sink that discards spans), to show what tracing costs; tracing off is the first gateway row.
 * Prints a table and writes bench/results/<date>-scale-<n>.{json,md}.
 * Figures only: nothing here passes or fails on speed.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { toGlobalId } from '../src/graphql/global-id';
import { ledgerInvariantViolations } from '../src/modules/ledger/ledger.query';
import { Role } from '../src/security/roles';
import { signToken } from '../src/security/tokens';
import { datasetSize, loadDataset } from './dataset';
import { comparedQueries, type Body, type Pick, type Picks } from './queries';
import {
  ensurePeerInstalled,
  postgresCpuReader,
  buildGateway,
  buildRevision,
  startGateway,
  startPostGraphile,
  startSpanSink,
  type BenchServer,
} from './servers';
import { ormConfig } from '../src/modules';

const { values: options } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_SCALE ?? '1' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
    // Seconds of the same load before each measured run, unmeasured: JIT, pools and prepared
    // statements warm for every server alike, so the figures are a running server's, not a new one's.
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '3' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '10' },
    only: { type: 'string', default: 'Q1,Q2,Q3,Q5,L,Z,P,R' },
    // `--tracing off` skips the extra gateway run with OpenTelemetry exporting.
    tracing: { type: 'string', default: 'on' },
    // `--peers off`: the gateway alone, for quick A/B runs of a change.
    peers: { type: 'string', default: 'on' },
    // `--against <revision>`: this tree's gateway and that revision's, measured in turns (`--rounds`
    // rounds of a `--seconds` burst each, the order reversed every round) so that both see the
    // machine's same ups and downs, in `--processes` fresh pairs of processes; the read queries and
    // the payouts (P), no peers, no remote ingest.
    against: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    processes: { type: 'string', default: '3' },
  },
});
const SCALE = Number(options.scale);
const SECONDS = Number(options.seconds);
const WARMUP_SECONDS = Number(options.warmup);
const CONNECTIONS = Number(options.connections);
const ONLY = new Set(options.only.split(','));
const AGAINST = options.against;
const ROUNDS = Number(options.rounds);
const PROCESSES = Number(options.processes);
const TRACING = options.tracing !== 'off' && !AGAINST;
const PEERS = options.peers !== 'off' && !AGAINST;
const ROOT = resolve(__dirname, '..');

interface Measurement {
  query: string;
  server: string;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerRequest: number;
  postgresCpuMsPerRequest: number | null;
  roundTripsPerRequest: number;
  peakRssMiB: number;
  errors: number;
  firstError?: string;
}

async function openDatabase() {
  let url = process.env.DATABASE_URL;
  let dataDir: string | undefined;
  let stop = async () => {};
  if (!url) {
    // Kept between runs: the data loads once per scale.
    dataDir = join(ROOT, '.data', 'bench', `scale-${SCALE}`);
    mkdirSync(dataDir, { recursive: true });
    const db = await startEmbeddedPostgres({ dir: dataDir, port: 55431, persistent: true });
    url = db.url;
    stop = db.stop;
  }
  const orm = await MikroORM.init(ormConfig(url, { poolMax: 4 }));
  await orm.getMigrator().up();
  return { url, dataDir, orm, stop };
}

/** A response is good when it is HTTP 200 with data and no `errors` (GraphQL reports errors with 200). */
function goodBody(status: number, body: string): boolean {
  return status === 200 && body.startsWith('{"data"') && !body.includes('"errors"');
}

async function checkLedger(orm: MikroORM): Promise<void> {
  const violations = await ledgerInvariantViolations(orm.em.getKnex());
  console.log(
    violations.length
      ? `\nLEDGER INVARIANTS BROKEN after the payouts: ${JSON.stringify(violations)}`
      : '\nLedger invariants hold after the payouts (balanced, balances = entries, funds ≥ 0, keys once).',
  );
  if (violations.length) process.exitCode = 1;
}

/** A payout is good when it was made: a refusal is a `userErrors` entry in a good body. */
const goodPayout = (status: number, body: string) => goodBody(status, body) && body.includes('"userErrors":[]');

/** The P row's request: 0.01 of dispute compensation on the next order, under a key of its own. */
function payoutBody(orders: Pick[], keyPrefix: string): (i: number) => Body {
  return (i) => ({
    query: `mutation($input: PostSubsidyInput!) { postSubsidy(input: $input) { transaction { id } userErrors { code message } } }`,
    variables: {
      input: {
        kind: 'DISPUTE_COMPENSATION',
        orderId: orders[i % orders.length].gateway,
        amount: '0.01',
        idempotencyKey: `${keyPrefix}-${i}`,
        reason: 'benchmark',
      },
    },
  });
}

/** What the payouts draw on: the special-subsidy fund, once per run. */
async function allocatePayoutBudget(gateway: BenchServer, finance: string, runId: string): Promise<void> {
  const budget = await post(
    gateway,
    {
      query: `mutation($input: AllocateFundInput!) { allocateFund(input: $input) { userErrors { code message } } }`,
      variables: {
        input: {
          fund: 'SPECIAL_SUBSIDY',
          amount: '1000000.00',
          reason: 'benchmark budget',
          idempotencyKey: `bench-${runId}`,
        },
      },
    },
    finance,
  );
  if (!budget.text.includes('"userErrors":[]')) throw new Error(`allocating the budget failed: ${budget.text}`);
}

async function post(server: BenchServer, body: Body, token?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

interface LoadOptions {
  token?: string;
  postgresCpu?: () => number;
  good?: (status: number, body: string) => boolean;
}

/** `load(seconds)` runs the server's requests for that long; `failures` counts bad answers so far. */
function loader(server: BenchServer, body: (i: number) => Body, options: LoadOptions) {
  const good = options.good ?? goodBody;
  let sequence = 0;
  const failures = { bad: 0, first: undefined as string | undefined };
  const load = (seconds: number) =>
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          setupRequest: (request) => ({ ...request, body: JSON.stringify(body(sequence++)) }),
          onResponse: (status, responseBody) => {
            if (good(status, responseBody)) return;
            failures.bad++;
            failures.first ??= `${status} ${responseBody.slice(0, 300)}`;
          },
        },
      ],
    });
  return { load, failures };
}

async function measure(
  query: string,
  server: BenchServer,
  body: (i: number) => Body,
  options: LoadOptions,
): Promise<Measurement> {
  const { load, failures } = loader(server, body, options);
  // A failure while warming counts like one measured: the same requests, the same answers expected.
  if (WARMUP_SECONDS > 0) await load(WARMUP_SECONDS);
  const before = await server.stats();
  const postgresBefore = options.postgresCpu?.();
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    server.stats().then(
      (stats) => (peakRss = Math.max(peakRss, stats.rss)),
      () => {},
    );
  }, 500);
  const run = await load(SECONDS);
  clearInterval(sampler);
  const after = await server.stats();
  const requests = run.requests.total;
  const postgresMs =
    options.postgresCpu && postgresBefore !== undefined
      ? (options.postgresCpu() - postgresBefore) / 1000 / requests
      : null;
  return {
    query,
    server: server.name,
    requests,
    reqPerSec: requests / SECONDS,
    p50Ms: run.latency.p50,
    p99Ms: run.latency.p99,
    serverCpuMsPerRequest: (after.cpuMicros - before.cpuMicros) / 1000 / requests,
    postgresCpuMsPerRequest: postgresMs,
    roundTripsPerRequest: (after.queries - before.queries) / requests,
    peakRssMiB: Math.max(peakRss, after.rss) / 2 ** 20,
    errors: failures.bad + run.errors + run.timeouts,
    ...(failures.first ? { firstError: failures.first } : {}),
  };
}

/**
 * Two servers measured in turns: each round gives each a burst of `SECONDS`, the first of the round
 * alternating, so both see the machine's same ups and downs. Returns each server's CPU time
 * (microseconds) and requests over all bursts.
 */
async function interleaved(
  servers: [BenchServer, BenchServer],
  bodyOf: (side: number) => (i: number) => Body,
  options: LoadOptions,
) {
  const loads = servers.map((server, side) => loader(server, bodyOf(side), options));
  for (const { load } of loads) if (WARMUP_SECONDS > 0) await load(WARMUP_SECONDS);
  const totals = servers.map(() => ({ cpuMicros: 0, postgresMicros: 0, requests: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 ? [1, 0] : [0, 1]) {
      const before = await servers[side].stats();
      const postgresBefore = options.postgresCpu?.() ?? 0;
      const run = await loads[side].load(SECONDS);
      const after = await servers[side].stats();
      totals[side].cpuMicros += after.cpuMicros - before.cpuMicros;
      totals[side].postgresMicros += (options.postgresCpu?.() ?? 0) - postgresBefore;
      totals[side].requests += run.requests.total;
    }
  }
  const failures = loads.reduce((sum, { failures }) => sum + failures.bad, 0);
  if (failures) throw new Error(`bad answers during the A/B run: ${loads.map((l) => l.failures.first).join(' | ')}`);
  return totals;
}

async function main() {
  const size = datasetSize(SCALE);
  const { url, dataDir, orm, stop } = await openDatabase();
  const load = await loadDataset(orm, size);
  console.log(
    load.loaded
      ? `Loaded ${size.merchants} merchants, ${size.merchants * size.ordersPerMerchant} orders in ${(load.ms / 1000).toFixed(1)} s`
      : `Data already loaded (${size.merchants} merchants, ${size.merchants * size.ordersPerMerchant} orders)`,
  );
  const connection = orm.em.getConnection();
  // Earlier runs' payouts and ingests leave rows autovacuum may not have reached yet: every run starts
  // from a vacuumed table with fresh statistics, whenever autovacuum last ran.
  const vacuumStarted = Date.now();
  await connection.execute('vacuum (analyze)');
  console.log(`Vacuumed and analysed in ${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  const pick = (type: 'Order' | 'Merchant', rows: { id: string }[]): Pick[] =>
    rows.map(({ id }) => ({ local: id, gateway: toGlobalId(type, id) }));
  const picks = {
    orders: pick('Order', await connection.execute(`select id from "order" order by md5(id::text) limit 1000`)),
    merchants: pick('Merchant', await connection.execute(`select id from merchant order by md5(id::text) limit 1000`)),
  };
  const runId = Date.now().toString(36);
  const payoutOrders = pick(
    'Order',
    await connection.execute(
      `select id from "order" where status = 'COMPLETED' and custom order by md5(id::text || ?) limit 20000`,
      [runId],
    ),
  );

  if (PEERS) ensurePeerInstalled();
  buildGateway();
  const jwtSecret = randomBytes(48).toString('base64');
  const auth = { issuer: 'weiquan', audience: 'weiquan-gateway', jwtSecret };
  const staff = await signToken(auth, { subject: 'bench', role: Role.ADMIN });
  const finance = await signToken(auth, { subject: 'bench-finance', role: Role.FINANCE });
  const servers: BenchServer[] = [];
  const postgresCpu = postgresCpuReader(dataDir);

  console.log(
    `\n${AGAINST ? 'Gateway A/B' : 'Gateway vs PostGraphile 5'}: scale ${SCALE}, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections, ` +
      `${cpus().length} cores, Node ${process.version} (gateway) / 22 (PostGraphile)\n`,
  );
  const measurements: Measurement[] = [];
  const mismatches: string[] = [];
  let ingest: RemoteIngest | undefined;
  const sink = TRACING ? await startSpanSink() : undefined;
  try {
    if (AGAINST) {
      await compareWithRevision(AGAINST, {
        url,
        jwtSecret,
        token: staff,
        finance,
        picks,
        payoutOrders,
        runId,
        postgresCpu,
      });
      if (ONLY.has('P')) await checkLedger(orm);
      return;
    }
    servers.push(await startGateway(url, jwtSecret));
    if (PEERS) servers.push(await startPostGraphile(url, true), await startPostGraphile(url, false));
    const [gateway, ...peers] = servers;
    const traced = sink
      ? await startGateway(url, jwtSecret, {
          name: 'gateway+tracing',
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'weiquan-bench' },
        })
      : undefined;
    if (traced) servers.push(traced);
    for (const compared of comparedQueries(picks).filter(({ key }) => ONLY.has(key))) {
      // Same data: the first few rotated requests, answered by every server, reduce to the same shape.
      for (let i = 0; i < 3; i++) {
        const mine = await post(gateway, compared.gateway(i), staff);
        if (!goodBody(mine.status, mine.text)) throw new Error(`${compared.key} gateway: ${mine.text.slice(0, 500)}`);
        const expected = JSON.stringify(compared.sameData.gateway(JSON.parse(mine.text).data));
        for (const peer of peers) {
          const theirs = await post(peer, compared.peer(i));
          if (!goodBody(theirs.status, theirs.text))
            throw new Error(`${compared.key} ${peer.name}: ${theirs.text.slice(0, 500)}`);
          const actual = JSON.stringify(compared.sameData.peer(JSON.parse(theirs.text).data));
          if (actual !== expected) {
            mismatches.push(
              `${compared.key} ${peer.name}:\n  gateway ${expected.slice(0, 300)}\n  peer    ${actual.slice(0, 300)}`,
            );
          }
        }
      }
      const row = [await measure(compared.key, gateway, compared.gateway, { token: staff, postgresCpu })];
      if (traced) row.push(await measure(compared.key, traced, compared.gateway, { token: staff, postgresCpu }));
      for (const peer of peers) row.push(await measure(compared.key, peer, compared.peer, { postgresCpu }));
      measurements.push(...row);
      printRows(row, compared.title);
    }

    // Payouts: gateway only (PostGraphile has no ledger rules to compare with).
    if (ONLY.has('P')) {
      await allocatePayoutBudget(gateway, finance, runId);
      const payout = await measure('P', gateway, payoutBody(payoutOrders, `bench-${runId}`), {
        token: finance,
        postgresCpu,
        good: goodPayout,
      });
      measurements.push(payout);
      printRows([payout], 'postSubsidy: one dispute compensation per request');
      await checkLedger(orm);
    }
    // Remote-region ingest: batches of 1,000 SHIPPED orders to XINJIANG (each with its remote transfer
    // fee and shipping score), while another shop ingests 5 orders at a time beside them.
    if (ONLY.has('R')) {
      const refs: IngestRef[] = (
        await connection.execute<{ merchant_id: string; product_id: string; buyer_id: string }[]>(
          `select m.merchant_id, m.product_id, b.id as buyer_id
             from (select distinct on (merchant_id) merchant_id, id as product_id, row_number() over () as n
                     from product order by merchant_id, id limit 2) m
             join (select id, row_number() over (order by id) as n from buyer) b on b.n = m.n`,
        )
      ).map((row) => ({
        merchant: toGlobalId('Merchant', row.merchant_id),
        product: toGlobalId('Product', row.product_id),
        buyer: toGlobalId('Buyer', row.buyer_id),
      }));
      const ingester = await signToken(auth, { subject: 'bench-ingest', role: Role.INGEST });
      ingest = await measureRemoteIngest(gateway, ingester, runId, refs);
      console.log(
        `R: ingestOrders of 1,000 SHIPPED orders to XINJIANG\n  gateway  ${ingest.ordersPerSec.toFixed(0)} orders/s ` +
          `(batches ${ingest.batchMs.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s); a neighbour's 5-order ingest ` +
          `meanwhile: median ${ingest.neighbourMedianMs.toFixed(0)} ms, max ${ingest.neighbourMaxMs.toFixed(0)} ms`,
      );
    }
    if (sink) console.log(`\nThe span sink received ${sink.batches()} OTLP batches from the traced gateway.`);
  } finally {
    for (const server of servers) await server.stop();
    await sink?.close();
    await orm.close();
    await stop();
  }

  if (mismatches.length) {
    console.log(`\nDIFFERENT DATA:\n${mismatches.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log('Every compared query returned the same data from the gateway and both PostGraphile runs.');
  }
  const headline = comparedQueries(picks)
    .filter(({ key }) => ONLY.has(key) && PEERS)
    .map(({ key }) => {
      const of = (name: string) => measurements.find((m) => m.query === key && m.server === name)!;
      return {
        query: key,
        vsPostGraphileRls: of(servers[0].name).reqPerSec / of(servers[1].name).reqPerSec,
        vsPostGraphileNoRls: of(servers[0].name).reqPerSec / of(servers[2].name).reqPerSec,
      };
    });
  const tracingCost = TRACING
    ? comparedQueries(picks)
        .filter(({ key }) => ONLY.has(key))
        .map(({ key }) => {
          const off = measurements.find((m) => m.query === key && m.server === 'gateway')!;
          const on = measurements.find((m) => m.query === key && m.server === 'gateway+tracing')!;
          return {
            query: key,
            reqPerSecOff: off.reqPerSec,
            reqPerSecOn: on.reqPerSec,
            cpuMsPerRequestOff: off.serverCpuMsPerRequest,
            cpuMsPerRequestOn: on.serverCpuMsPerRequest,
          };
        })
    : [];
  if (tracingCost.length) console.log('\nTracing: gateway req/s and CPU per request, off → on (OTLP export)');
  for (const t of tracingCost) {
    console.log(
      `  ${t.query}: ${t.reqPerSecOff.toFixed(0)} → ${t.reqPerSecOn.toFixed(0)} req/s (${(
        (t.reqPerSecOn / t.reqPerSecOff - 1) *
        100
      ).toFixed(0)}%), CPU ${t.cpuMsPerRequestOff.toFixed(2)} → ${t.cpuMsPerRequestOn.toFixed(2)} ms`,
    );
  }
  console.log('\nHeadline: gateway req/s ÷ PostGraphile req/s');
  for (const h of headline) {
    console.log(
      `  ${h.query}: ${h.vsPostGraphileRls.toFixed(2)}× (same RLS), ${h.vsPostGraphileNoRls.toFixed(2)}× (no RLS)`,
    );
  }
  // A quick A/B run (--peers off) does not replace the recorded comparison.
  if (PEERS) writeResults({ size, measurements, headline, tracingCost, mismatches, ingest });
}

/**
 * `--against`: this tree's gateway and the revision's, query by query, in turns. Two processes of the
 * same build can differ by a tenth or more in CPU per request for their whole life (the JIT decides
 * differently), so each side runs as `--processes` fresh processes in turn and the figures add up.
 * P (payouts) runs too when asked: each side posts under keys of its own, so neither replays the
 * other's, and the ledger's invariants are checked after.
 */
async function compareWithRevision(
  revision: string,
  setup: {
    url: string;
    jwtSecret: string;
    token: string;
    finance: string;
    picks: Picks;
    payoutOrders: Pick[];
    runId: string;
    postgresCpu?: () => number;
  },
) {
  const other = buildRevision(revision);
  const loads: { key: string; bodyOf: (side: number, pair: number) => (i: number) => Body; options: LoadOptions }[] =
    comparedQueries(setup.picks)
      .filter(({ key }) => ONLY.has(key))
      .map((compared) => ({ key: compared.key, bodyOf: () => compared.gateway, options: { token: setup.token } }));
  if (ONLY.has('P')) {
    loads.push({
      key: 'P',
      bodyOf: (side, pair) => payoutBody(setup.payoutOrders, `bench-${setup.runId}-${pair}-${side}`),
      options: { token: setup.finance, good: goodPayout },
    });
  }
  const totals = new Map(
    loads.map(({ key }) => [key, { cpu: [0, 0], postgres: [0, 0], requests: [0, 0], ratios: [] as number[] }]),
  );
  try {
    console.log(
      `A/B: this tree ÷ ${other.name}, CPU per request: ${PROCESSES} process pairs × ${ROUNDS} rounds of ${SECONDS} s ` +
        `each (after ${WARMUP_SECONDS} s of warm-up)`,
    );
    for (let pair = 0; pair < PROCESSES; pair++) {
      const sides: [BenchServer, BenchServer] = [
        await startGateway(setup.url, setup.jwtSecret),
        await startGateway(setup.url, setup.jwtSecret, { name: other.name, root: other.root }),
      ];
      try {
        if (pair === 0 && ONLY.has('P')) await allocatePayoutBudget(sides[0], setup.finance, setup.runId);
        for (const { key, bodyOf, options } of loads) {
          for (const [side, server] of sides.entries()) {
            const answer = await post(server, bodyOf(side, pair)(0), options.token);
            if (!(options.good ?? goodBody)(answer.status, answer.text))
              throw new Error(`${key} ${server.name}: ${answer.text}`);
          }
          const ab = await interleaved(sides, (side) => bodyOf(side, pair), {
            ...options,
            postgresCpu: setup.postgresCpu,
          });
          const total = totals.get(key)!;
          for (const side of [0, 1]) {
            total.cpu[side] += ab[side].cpuMicros;
            total.postgres[side] += ab[side].postgresMicros;
            total.requests[side] += ab[side].requests;
          }
          total.ratios.push(ab[0].cpuMicros / ab[0].requests / (ab[1].cpuMicros / ab[1].requests));
        }
      } finally {
        for (const server of sides) await server.stop();
      }
    }
  } finally {
    other.remove();
  }
  for (const [key, { cpu, postgres, requests, ratios }] of totals) {
    const [a, b] = [0, 1].map((side) => cpu[side] / 1000 / requests[side]);
    const perSecond = [0, 1].map((side) => requests[side] / (PROCESSES * ROUNDS * SECONDS));
    const postgresMs = setup.postgresCpu
      ? `   PostgreSQL ${[0, 1].map((side) => (postgres[side] / 1000 / requests[side]).toFixed(2)).join(' / ')} ms`
      : '';
    console.log(
      `  ${key.padEnd(3)} ${a.toFixed(2)} ÷ ${b.toFixed(2)} ms = ${(a / b).toFixed(3)}×   req/s ` +
        `${perSecond.map((r) => r.toFixed(0)).join(' / ')} = ${(perSecond[0] / perSecond[1]).toFixed(2)}×${postgresMs}   ` +
        `per process pair ${ratios.map((r) => r.toFixed(2)).join(' ')}`,
    );
  }
}

interface RemoteIngest {
  ordersPerSec: number;
  batchMs: number[];
  neighbourMedianMs: number;
  neighbourMaxMs: number;
}

/** An order of the benchmark's own, as the platform sends it. */
function benchOrder(ref: IngestRef, number: string, region: string) {
  const paidAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
  return {
    platform: 'PINDUODUO',
    externalNumber: number,
    merchantId: ref.merchant,
    buyerId: ref.buyer,
    lines: [{ productId: ref.product, quantity: 1, unitPrice: '99.00' }],
    paidAmount: '99.00',
    shippingFee: '0',
    destinationRegion: region,
    status: 'SHIPPED',
    paidAt,
    shippedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
  };
}

interface IngestRef {
  merchant: string;
  buyer: string;
  product: string;
}

const INGEST = `mutation($input: [OrderInput!]!) { ingestOrders(input: $input) { createdCount rejectedCount } }`;

/** Three batches of 1,000 remote orders, one after the other, and a small ingest of another shop looping beside them. */
async function measureRemoteIngest(
  gateway: BenchServer,
  token: string,
  runId: string,
  [remote, neighbour]: IngestRef[],
): Promise<RemoteIngest> {
  const batchMs: number[] = [];
  const neighbourMs: number[] = [];
  let running = true;
  const beside = (async () => {
    for (let n = 0; running; n++) {
      const started = performance.now();
      const input = Array.from({ length: 5 }, (_, i) => benchOrder(neighbour, `R${runId}N${n}-${i}`, 'BEIJING'));
      const answer = await post(gateway, { query: INGEST, variables: { input } }, token);
      if (!answer.text.includes('"createdCount":5')) throw new Error(`neighbour ingest: ${answer.text.slice(0, 300)}`);
      neighbourMs.push(performance.now() - started);
    }
  })();
  try {
    for (let batch = 0; batch < 3; batch++) {
      const input = Array.from({ length: 1000 }, (_, i) => benchOrder(remote, `R${runId}B${batch}-${i}`, 'XINJIANG'));
      const started = performance.now();
      const answer = await post(gateway, { query: INGEST, variables: { input } }, token);
      if (!answer.text.includes('"createdCount":1000')) throw new Error(`remote ingest: ${answer.text.slice(0, 300)}`);
      batchMs.push(performance.now() - started);
    }
  } finally {
    running = false;
    await beside;
  }
  const sorted = [...neighbourMs].sort((x, y) => x - y);
  return {
    ordersPerSec: (3000 * 1000) / batchMs.reduce((sum, ms) => sum + ms, 0),
    batchMs,
    neighbourMedianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    neighbourMaxMs: sorted.at(-1) ?? 0,
  };
}

const HEADER =
  '| query | server | req/s | p50 ms | p99 ms | server CPU ms/req | Postgres CPU ms/req | round trips/req | peak RSS MiB | errors |';

function tableRow(m: Measurement): string {
  return `| ${m.query} | ${m.server} | ${m.reqPerSec.toFixed(0)} | ${m.p50Ms} | ${m.p99Ms} | ${m.serverCpuMsPerRequest.toFixed(2)} | ${
    m.postgresCpuMsPerRequest?.toFixed(2) ?? 'n/a'
  } | ${m.roundTripsPerRequest.toFixed(2)} | ${m.peakRssMiB.toFixed(0)} | ${m.errors} |`;
}

function printRows(rows: Measurement[], title: string) {
  console.log(`${rows[0].query}: ${title}`);
  for (const m of rows) {
    console.log(
      `  ${m.server.padEnd(22)} ${m.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${String(m.p50Ms).padStart(4)} ms  p99 ${String(
        m.p99Ms,
      ).padStart(
        4,
      )} ms  CPU ${m.serverCpuMsPerRequest.toFixed(2)} ms + PG ${m.postgresCpuMsPerRequest?.toFixed(2) ?? 'n/a'} ms/req  ${m.roundTripsPerRequest.toFixed(
        2,
      )} round trips  RSS ${m.peakRssMiB.toFixed(0)} MiB  errors ${m.errors}`,
    );
    if (m.firstError) console.log(`    first error: ${m.firstError}`);
  }
}

function writeResults(result: {
  size: ReturnType<typeof datasetSize>;
  measurements: Measurement[];
  headline: { query: string; vsPostGraphileRls: number; vsPostGraphileNoRls: number }[];
  tracingCost: {
    query: string;
    reqPerSecOff: number;
    reqPerSecOn: number;
    cpuMsPerRequestOff: number;
    cpuMsPerRequestOn: number;
  }[];
  mismatches: string[];
  ingest?: RemoteIngest;
}) {
  const date = new Date().toISOString().slice(0, 10);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${date}-scale-${SCALE}`);
  const settings = {
    scale: SCALE,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    connections: CONNECTIONS,
    cores: cpus().length,
    node: process.version,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify({ date, settings, ...result }, null, 2)}\n`);
  const markdown = [
    `# Gateway vs PostGraphile 5, ${date}`,
    '',
    `Scale ${SCALE} (${result.size.merchants} merchants, ${result.size.merchants * result.size.ordersPerMerchant} orders), ` +
      `${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections, ${cpus().length} cores; client, servers and PostgreSQL on one machine.`,
    '',
    '| query | gateway ÷ PostGraphile (same RLS) | gateway ÷ PostGraphile (no RLS) |',
    '|---|---|---|',
    ...result.headline.map(
      (h) => `| ${h.query} | ${h.vsPostGraphileRls.toFixed(2)}× | ${h.vsPostGraphileNoRls.toFixed(2)}× |`,
    ),
    '',
    ...(result.tracingCost.length
      ? [
          '| query | tracing off req/s | tracing on req/s | CPU ms/req off | CPU ms/req on |',
          '|---|---|---|---|---|',
          ...result.tracingCost.map(
            (t) =>
              `| ${t.query} | ${t.reqPerSecOff.toFixed(0)} | ${t.reqPerSecOn.toFixed(0)} | ${t.cpuMsPerRequestOff.toFixed(2)} | ${t.cpuMsPerRequestOn.toFixed(2)} |`,
          ),
          '',
        ]
      : []),
    HEADER,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...result.measurements.map(tableRow),
    ...(result.ingest
      ? [
          '',
          `R (ingestOrders, 1,000 SHIPPED orders to XINJIANG per request): ${result.ingest.ordersPerSec.toFixed(0)} orders/s; ` +
            `another shop's 5-order ingest meanwhile: median ${result.ingest.neighbourMedianMs.toFixed(0)} ms, max ${result.ingest.neighbourMaxMs.toFixed(0)} ms.`,
        ]
      : []),
    '',
    result.mismatches.length
      ? `Different data:\n\n${result.mismatches.join('\n')}`
      : 'Both servers returned the same data.',
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, markdown);
  console.log(`\nWrote ${base}.json and ${base}.md`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
