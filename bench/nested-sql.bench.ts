/**
 * One message per level of the selection (what the gateway sends) against one statement that builds
 * the nested answer inside PostgreSQL with lateral joins and json_agg (what PostGraphile sends), for
 * the shapes of Q5, Q2 and Q1, on the benchmark's data: client CPU, PostgreSQL backend CPU and wall time
 * per answer, one connection, run back to back. Both sides enter the tenant the same way (settings in
 * the same message) and row-level security applies to both.
 *
 *   npx tsx bench/nested-sql.bench.ts [--rounds 2000]   (DATABASE_URL for another database)
 *
 * Figures only; the benchmark's data must be loaded (`npm run bench` once).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';

const { values: options } = parseArgs({ options: { rounds: { type: 'string', default: '2000' } } });
const ROUNDS = Number(options.rounds);
const SETTINGS = `select set_config('role', 'weiquan_app', true), set_config('app.scope', 'platform', true), set_config('app.merchant_id', '', true)`;

type Rows = Record<string, unknown>[];

async function main() {
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const db = await startEmbeddedPostgres({
      dir: join(resolve(__dirname, '..'), '.data', 'bench', 'scale-1'),
      port: 55431,
      persistent: true,
    });
    [url, stop] = [db.url, db.stop];
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const backend = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
  const backendTicks = () => {
    const fields = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (10 ms)
  };
  const messages = async (...statements: string[]) => {
    const results = (await client.query([SETTINGS, ...statements].join('; '))) as unknown as { rows: Rows }[];
    return results.slice(1).map((result) => result.rows);
  };
  const orderIds = (await client.query('select id from "order" order by id limit 1000')).rows.map((r) => r.id);
  const uuids = (ids: unknown[]) => `'{${ids.join(',')}}'::uuid[]`;

  // Q5's reads as the gateway sends them for a dashboard, prepared (as the gateway prepares them):
  // ten EXECUTEs in one message, against one prepared statement with a json_agg subquery per read.
  const merchantIds = (await client.query('select id from merchant order by id limit 300')).rows.map((r) => r.id);
  const dashboard: Record<string, string> = {
    policy: 'select t.* from policy_version t order by t.effective_from, t.version',
    score: 'select t.* from merchant_score t where t.merchant_id = $1',
    recentOrders: `select t.merchant_id, count(*) as n from "order" t where t.merchant_id = $1
      and not t.status = 'CANCELLED' and t.paid_at > $2 and t.paid_at <= $3 group by t.merchant_id`,
    accounts: 'select t.* from ledger_account t where t.merchant_id = $1 order by t.code',
    merchant: 'select t.id, t.name, t.status from merchant t where t.id = $1',
    buyers: `select t.id, t.nickname from buyer t where t.id in (select c.buyer_id from (select t.buyer_id from "order" t
      where t.merchant_id = $1 order by t.paid_at desc, t.id desc limit 11) c)`,
    orders: `select t.buyer_id, t.id, t.paid_amount, t.status, t.paid_at, t.merchant_id from "order" t
      where t.merchant_id = $1 order by t.paid_at desc, t.id desc limit 11`,
    warnings: 'select t.* from warning t where t.merchant_id = $1 order by t.raised_at desc, t.id desc limit 6',
    cases: `select t.merchant_id as parent, count(*) as count from after_sales_case t
      where t.merchant_id = any(array[$1]) and t.status in ('UNDER_REVIEW') group by t.merchant_id`,
    appeals:
      'select t.merchant_id as parent, count(*) as count from appeal t where t.merchant_id = any(array[$1]) group by t.merchant_id',
  };
  const parameters = (sql: string) => (sql.includes('$3') ? 3 : sql.includes('$1') ? 1 : 0);
  const types = ['uuid', 'timestamptz', 'timestamptz'];
  for (const [name, sql] of Object.entries(dashboard)) {
    const count = parameters(sql);
    await client.query(`prepare q5_${name}${count ? `(${types.slice(0, count).join(', ')})` : ''} as ${sql}`);
  }
  await client.query(
    `prepare q5_nested(uuid, timestamptz, timestamptz) as select ${Object.entries(dashboard)
      .map(([name, sql]) => `(select coalesce(json_agg(r), '[]') from (${sql}) r)::text as "${name}"`)
      .join(', ')}`,
  );
  const window = [new Date(Date.now() - 90 * 86_400_000).toISOString(), new Date().toISOString()];
  const argumentsOf = (i: number, count: number) =>
    [merchantIds[i % merchantIds.length], ...window].slice(0, count).map((value) => `'${value}'`);

  const shapes: Record<string, { levels: (i: number) => Promise<string>; nested: (i: number) => Promise<string> }> = {
    'Q5 (a dashboard: ten reads)': {
      async levels(i) {
        const results = await messages(
          ...Object.entries(dashboard).map(([name, sql]) => {
            const count = parameters(sql);
            return `execute q5_${name}${count ? `(${argumentsOf(i, count).join(', ')})` : ''}`;
          }),
        );
        return JSON.stringify(Object.fromEntries(Object.keys(dashboard).map((name, k) => [name, results[k]])));
      },
      async nested(i) {
        const [[row]] = await messages(`execute q5_nested(${argumentsOf(i, 3).join(', ')})`);
        return `{${Object.keys(dashboard)
          .map((name) => `"${name}":${row[name] as string}`)
          .join(',')}}`;
      },
    },
    'Q2 (order + merchant + buyer)': {
      async levels(i) {
        const [[order]] = await messages(
          `select id, status, paid_amount, merchant_id, buyer_id from "order" where id = any(${uuids([orderIds[i % 1000]])})`,
        );
        const [[merchant], [buyer]] = await messages(
          `select id, name from merchant where id = any(${uuids([order.merchant_id])})`,
          `select id, nickname from buyer where id = any(${uuids([order.buyer_id])})`,
        );
        return JSON.stringify({ order: { ...order, merchant, buyer } });
      },
      async nested(i) {
        const [[row]] = await messages(
          `select json_build_object('id', o.id, 'status', o.status, 'paid_amount', o.paid_amount,
             'merchant', (select json_build_object('id', m.id, 'name', m.name) from merchant m where m.id = o.merchant_id),
             'buyer', (select json_build_object('id', b.id, 'nickname', b.nickname) from buyer b where b.id = o.buyer_id)
           )::text as answer from "order" o where o.id = any(${uuids([orderIds[i % 1000]])})`,
        );
        return `{"order":${row.answer as string}}`;
      },
    },
    'Q1 (50 merchants × 20 orders × lines)': {
      async levels() {
        const [merchants] = await messages('select id from merchant order by name, id limit 50');
        const [orders] = await messages(
          `select id, merchant_id, buyer_id from (select t.id, t.merchant_id, t.buyer_id, row_number() over
             (partition by t.merchant_id order by t.paid_at desc, t.id desc) as n from "order" t
             where t.merchant_id = any(${uuids(merchants.map((m) => m.id))})) w where n <= 20 order by merchant_id, n`,
        );
        const [lines] = await messages(
          `select order_id, product_id from order_line where order_id = any(${uuids(orders.map((o) => o.id))}) order by order_id, line_no`,
        );
        const linesOf = new Map<unknown, Rows>();
        for (const line of lines) linesOf.set(line.order_id, [...(linesOf.get(line.order_id) ?? []), line]);
        const ordersOf = new Map<unknown, Rows>();
        for (const order of orders)
          ordersOf.set(order.merchant_id, [...(ordersOf.get(order.merchant_id) ?? []), order]);
        return JSON.stringify(
          merchants.map((m) => ({
            id: m.id,
            orders: (ordersOf.get(m.id) ?? []).map((o) => ({
              id: o.id,
              buyer: { id: o.buyer_id },
              lines: (linesOf.get(o.id) ?? []).map((l) => ({ product: { id: l.product_id } })),
            })),
          })),
        );
      },
      async nested() {
        const [[row]] = await messages(
          `select coalesce(json_agg(json_build_object('id', m.id, 'orders', o.orders) order by m.name, m.id), '[]')::text as answer
           from (select id, name from merchant order by name, id limit 50) m
           cross join lateral (
             select coalesce(json_agg(json_build_object('id', t.id, 'buyer', json_build_object('id', t.buyer_id),
               'lines', l.lines) order by t.paid_at desc, t.id desc), '[]') as orders
             from (select id, buyer_id, paid_at from "order" where merchant_id = m.id order by paid_at desc, id desc limit 20) t
             cross join lateral (
               select coalesce(json_agg(json_build_object('product', json_build_object('id', ol.product_id))
                 order by ol.line_no), '[]') as lines from order_line ol where ol.order_id = t.id
             ) l
           ) o`,
        );
        return row.answer as string;
      },
    },
  };

  console.log(`${ROUNDS} answers each, one connection, back to back\n`);
  console.log('shape | plan | client CPU µs | PostgreSQL CPU µs | wall µs | answer bytes');
  for (const [name, plans] of Object.entries(shapes)) {
    for (const [plan, answer] of [
      ['one message per level', plans.levels],
      ['one nested statement', plans.nested],
    ] as const) {
      for (let i = 0; i < Math.min(200, ROUNDS); i++) await answer(i); // warm-up
      const [cpu, ticks, started] = [process.cpuUsage(), backendTicks(), performance.now()];
      let bytes = 0;
      for (let i = 0; i < ROUNDS; i++) bytes = (await answer(i)).length;
      const used = process.cpuUsage(cpu);
      const per = (total: number) => Math.round(total / ROUNDS);
      console.log(
        `${name} | ${plan} | ${per(used.user + used.system)} | ${per((backendTicks() - ticks) * 10_000)} | ${per(
          (performance.now() - started) * 1000,
        )} | ${bytes}`,
      );
    }
  }
  await client.end();
  await stop();
}

void main();
