/**
 * `npm run bench`: throughput and latency of typical gateway requests over HTTP on loopback, with the
 * SQL statements each one costs. Runs on its own embedded PostgreSQL with the demo data (or on an
 * empty database at DATABASE_URL). Prints figures; asserts nothing.
 *
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=10 npm run bench
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { openBenchDatabase, serveBenchGateway } from './bench-setup';
import { countStatements } from '../src/db/query-counter';
import { Order } from '../src/modules/orders/order.entity';
import { Buyer } from '../src/modules/buyers/buyer.entity';
import { Product } from '../src/modules/products/product.entity';
import { toGlobalId } from '../src/graphql/global-id';
import { createRequestContext } from '../src/server/context';
import { Role } from '../src/security/roles';
import { signToken } from '../src/security/tokens';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Scenario {
  name: string;
  body: () => { query: string; variables?: Record<string, unknown> };
}

async function main() {
  const { orm, close } = await openBenchDatabase(CONNECTIONS);
  const auth = {
    issuer: 'weiquan',
    audience: 'weiquan-gateway',
    jwtSecret: randomBytes(32).toString('hex'),
    jwksUrl: undefined,
  };
  const server = await serveBenchGateway(orm, auth);
  const { gateway } = server;
  const token = await signToken(auth, { subject: 'bench', role: Role.ADMIN });
  const admin = { authenticated: true, subject: 'bench', role: Role.ADMIN, merchantId: null } as const;

  const em = orm.em.fork();
  const anOrder = await em.findOneOrFail(Order, { paidAt: { $lte: new Date() } }, { orderBy: { paidAt: 'desc' } });
  const product = await em.findOneOrFail(Product, { merchant: anOrder.merchant });
  const buyer = await em.findOneOrFail(Buyer, { malicious: false });
  let ingestSequence = 0;
  const ingestBatch = () =>
    Array.from({ length: 100 }, () => ({
      platform: 'DOUYIN',
      externalNumber: `BENCH${process.pid}-${++ingestSequence}`,
      merchantId: toGlobalId('Merchant', anOrder.merchant.id),
      buyerId: toGlobalId('Buyer', buyer.id),
      lines: [{ productId: toGlobalId('Product', product.id), quantity: 1, unitPrice: '99.00' }],
      paidAmount: '99.00',
      shippingFee: '0',
      destinationRegion: 'XINJIANG',
      paidAt: new Date(Date.now() - 3_600_000).toISOString(),
    }));

  const scenarios: Scenario[] = [
    {
      name: 'merchants(50) → orders(20) → buyer, lines → product',
      body: () => ({
        query:
          '{ merchants(first: 50) { edges { node { id orders(first: 20) { edges { node { id buyer { id } lines { product { id } } } } } } } } }',
      }),
    },
    {
      name: 'order(id) with lines, merchant, history',
      body: () => ({
        query:
          'query($id: ID!) { order(id: $id) { status paidAmount { amount } merchant { name } lines { quantity product { title } } statusHistory { toStatus } } }',
        variables: { id: toGlobalId('Order', anOrder.id) },
      }),
    },
    {
      name: 'orders(first: 50, COMPLETED, not remote) + totalCount',
      body: () => ({
        query:
          '{ orders(first: 50, filter: { status: [COMPLETED], remoteRegion: false }) { totalCount edges { node { id paidAmount { amount } } } } }',
      }),
    },
    {
      name: 'merchants(50) → trust, factors, ledger balances',
      body: () => ({
        query:
          '{ merchants(first: 50) { edges { node { trust { experienceScore band highRepurchase factors { name value contribution } } ledger { cash { amount } } } } } }',
      }),
    },
    {
      name: 'ingestOrders: 100 new orders per request',
      body: () => ({
        query: 'mutation($input: [OrderInput!]!) { ingestOrders(input: $input) { createdCount rejectedCount } }',
        variables: { input: ingestBatch() },
      }),
    },
  ];

  console.log(
    `Weiquan gateway benchmark: ${SECONDS} s per scenario, ${CONNECTIONS} connections, loopback HTTP, NODE_ENV=production`,
  );
  console.log(`Node ${process.version}, demo data: ${await em.count(Order)} orders\n`);
  for (const scenario of scenarios) {
    const probe = scenario.body();
    const { result, statements } = await countStatements(() =>
      gateway.apollo.executeOperation(probe, { contextValue: createRequestContext(orm, { actor: admin }) }),
    );
    const single = result.body.kind === 'single' ? result.body.singleResult : undefined;
    if (single?.errors?.length) throw new Error(`${scenario.name}: ${JSON.stringify(single.errors)}`);

    const run = await autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          setupRequest: (request) => ({ ...request, body: JSON.stringify(scenario.body()) }),
        },
      ],
    });
    console.log(
      [
        scenario.name.padEnd(55),
        `${run.requests.average.toFixed(0).padStart(6)} req/s`,
        `p50 ${String(run.latency.p50).padStart(4)} ms`,
        `p99 ${String(run.latency.p99).padStart(4)} ms`,
        `${statements.length} SQL/request`,
        `non-2xx ${run.non2xx}, errors ${run.errors}`,
      ].join('  '),
    );
  }
  const memory = process.memoryUsage();
  console.log(
    `\nGateway process after the run: RSS ${(memory.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );

  await server.stop();
  await close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
