/**
 * `npm run bench:security`: what authentication and tenant isolation add to a simple request.
 *
 * - verifying a bearer token (HS256) per request;
 * - a read by primary key: plain (as the table owner, no transaction) against the way the gateway
 *   runs it (a transaction that switches to the application role and sets the tenant, so the
 *   row-level security policy is evaluated), for platform and merchant scopes;
 * - the whole HTTP request `order(id)` as staff and as the owning merchant.
 *
 * Sequential timings on loopback; prints figures, asserts nothing.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { TenantDb } from '../src/db/tenant-db';
import { toGlobalId } from '../src/graphql/global-id';
import { Order } from '../src/modules/orders/order.entity';
import type { TenantScope } from '../src/db/tenant-db';
import { Role } from '../src/security/roles';
import { createAuthenticator, signToken } from '../src/security/tokens';
import { openBenchDatabase, serveBenchGateway } from './bench-setup';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

async function timePerCall(work: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await work(); // warm up
  const started = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) await work();
  return Number(process.hrtime.bigint() - started) / ITERATIONS / 1000; // µs
}

const show = (label: string, micros: number) => console.log(`${label.padEnd(62)} ${micros.toFixed(0).padStart(6)} µs`);

async function main() {
  const { orm, close } = await openBenchDatabase(10);
  const em = orm.em.fork();
  const order = await em.findOneOrFail(Order, { paidAt: { $lte: new Date() } }, { orderBy: { paidAt: 'desc' } });
  const merchantId = order.merchant.id;
  const auth = {
    issuer: 'weiquan',
    audience: 'weiquan-gateway',
    jwtSecret: randomBytes(32).toString('hex'),
    jwksUrl: undefined,
  };
  const adminToken = await signToken(auth, { subject: 'bench', role: Role.ADMIN });
  const merchantToken = await signToken(auth, { subject: 'bench-shop', role: Role.MERCHANT, merchantId });

  console.log(`Security overhead, ${ITERATIONS} sequential calls each (Node ${process.version})\n`);
  const authenticate = createAuthenticator(auth);
  show('verify an HS256 bearer token', await timePerCall(() => authenticate(`Bearer ${adminToken}`)));

  const knex = em.getKnex();
  show(
    'read one order by id: owner, no transaction, no RLS',
    await timePerCall(() => knex.raw('select * from "order" where id = ?', [order.id])),
  );
  const tenantRead = (scope: TenantScope) => {
    const db = new TenantDb(orm.em.fork(), scope);
    return () => db.read((run) => run(db.knex()('order as t').select('t.*').where('t.id', order.id)));
  };
  show(
    'read one order by id: tenant transaction + RLS, platform scope',
    await timePerCall(tenantRead({ platform: true, merchantId: null })),
  );
  show(
    'read one order by id: tenant transaction + RLS, merchant scope',
    await timePerCall(tenantRead({ platform: false, merchantId })),
  );

  const server = await serveBenchGateway(orm, auth);
  const body = JSON.stringify({
    query: 'query($id: ID!) { order(id: $id) { status paidAmount { amount } } }',
    variables: { id: toGlobalId('Order', order.id) },
  });
  console.log(`\nHTTP order(id), ${SECONDS} s, 1 connection (latency) and 10 connections (throughput):`);
  for (const [who, token] of [
    ['staff (platform scope)', adminToken],
    ['owning merchant (merchant scope)', merchantToken],
  ] as const) {
    for (const connections of [1, 10]) {
      const run = await autocannon({
        url: server.url,
        connections,
        duration: SECONDS,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
      });
      console.log(
        `  ${who.padEnd(34)} ${String(connections).padStart(2)} conn  ${run.requests.average.toFixed(0).padStart(6)} req/s  p50 ${run.latency.p50} ms  p99 ${run.latency.p99} ms  non-2xx ${run.non2xx}`,
      );
    }
  }
  await server.stop();
  await close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
