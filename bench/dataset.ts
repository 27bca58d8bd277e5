import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * The benchmark's data, generated inside PostgreSQL with set-based inserts (seconds for 200,000
 * orders): at scale 1, 2,000 merchants with 10 products and 100 orders each (200,000 orders, a third
 * with two lines, a fifth made to order), 20,000 buyers, a merchant score per merchant, and the ledger rows a merchant's page
 * reads (cash and ad accounts, a technical service fee per completed order). Ids are md5 of a name and
 * timestamps count back from a fixed instant, so every run and both servers see the same rows.
 */
export interface DatasetSize {
  merchants: number;
  ordersPerMerchant: number;
  productsPerMerchant: number;
  buyers: number;
}

export function datasetSize(scale: number): DatasetSize {
  const merchants = Math.max(10, Math.round(2_000 * scale));
  return { merchants, ordersPerMerchant: 100, productsPerMerchant: 10, buyers: merchants * 10 };
}

/** The newest order is paid one hour before this instant (UTC). */
const LATEST = `timestamptz '2026-11-01 00:00:00+00'`;
const uuid = (name: string) => `md5(${name})::uuid`;

export async function loadDataset(orm: MikroORM, size: DatasetSize): Promise<{ loaded: boolean; ms: number }> {
  const started = Date.now();
  const connection = orm.em.getConnection();
  const [{ merchants }] = await connection.execute<{ merchants: string }[]>(
    `select count(*) as merchants from merchant`,
  );
  if (Number(merchants) === size.merchants) return { loaded: false, ms: 0 };
  if (Number(merchants) !== 0) {
    throw new Error(`the database already has ${merchants} merchants: the benchmark needs an empty one`);
  }
  const { merchants: m, ordersPerMerchant: perMerchant, productsPerMerchant: products, buyers } = size;
  const statements = [
    `insert into merchant (id, created_at, updated_at, external_id, name, tier, status, main_category, region, deposit)
     select ${uuid(`'m' || i`)}, ${LATEST} - interval '400 days' + i * interval '1 minute', ${LATEST},
            'BENCH' || i, '商家 ' || i,
            (array['STANDARD','SMALL','NEW_QUALITY','STRENGTH','SUPER_FACTORY'])[1 + i % 5],
            'ACTIVE', (array['服装','家居','食品','数码','美妆'])[1 + i % 5],
            (array['ZHEJIANG','GUANGDONG','JIANGSU','FUJIAN'])[1 + i % 4], 200000
     from generate_series(1, ${m}) i`,
    `insert into buyer (id, created_at, updated_at, external_id, nickname, super_buyer, malicious)
     select ${uuid(`'b' || i`)}, ${LATEST} - interval '400 days', ${LATEST}, 'BENCHBUYER' || i, '买家 ' || i,
            i % 50 = 0, i % 97 = 0
     from generate_series(1, ${buyers}) i`,
    `insert into product (id, created_at, updated_at, merchant_id, external_id, title, category, current_price)
     select ${uuid(`'p' || i || '-' || j`)}, ${LATEST} - interval '300 days' + j * interval '1 second', ${LATEST},
            ${uuid(`'m' || i`)}, 'SKU' || j, '商品 ' || i || '-' || j, '服装', 1000 + j * 500
     from generate_series(1, ${m}) i, generate_series(1, ${products}) j`,
    `insert into "order" (id, created_at, updated_at, platform, external_number, merchant_id, buyer_id, status,
            paid_amount, shipping_fee, destination_region, remote_region, promoted, promotion_fee, custom, hosted,
            paid_at, ship_by, shipped_at, delivered_at, completed_at, cancelled_at, refunded_at, content_hash)
     select ${uuid(`'o' || i || '-' || j`)}, paid_at, paid_at, 'PINDUODUO', 'BENCH' || i || '-' || j,
            ${uuid(`'m' || i`)}, ${uuid(`'b' || (1 + (i * 7 + j * 13) % ${buyers})`)}, status,
            amount, 0, case when j % 20 = 0 then 'XINJIANG' else 'ZHEJIANG' end, j % 20 = 0,
            j % 4 = 0, case when j % 4 = 0 then amount / 20 else 0 end, j % 5 = 0, false,
            paid_at, paid_at + interval '48 hours',
            case when status not in ('PAID', 'CANCELLED') then paid_at + interval '20 hours' end,
            case when status in ('DELIVERED', 'COMPLETED', 'REFUNDED') then paid_at + interval '3 days' end,
            case when status = 'COMPLETED' then paid_at + interval '10 days' end,
            case when status = 'CANCELLED' then paid_at + interval '1 hour' end,
            case when status = 'REFUNDED' then paid_at + interval '5 days' end,
            md5('o' || i || '-' || j)
     from (select i, j, ${LATEST} - (j * ${m} + i) * interval '1 minute' as paid_at,
                  1000 + ((i * 31 + j * 17) % 20) * 500 as amount,
                  (array['COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED',
                         'SHIPPED','DELIVERED','REFUNDED','CANCELLED'])[1 + (i + j) % 10] as status
           from generate_series(1, ${m}) i, generate_series(1, ${perMerchant}) j) o`,
    `insert into order_line (id, created_at, updated_at, order_id, line_no, product_id, quantity, unit_price)
     select ${uuid(`'l' || i || '-' || j || '-' || n`)}, ${LATEST}, ${LATEST}, ${uuid(`'o' || i || '-' || j`)}, n,
            ${uuid(`'p' || i || '-' || (1 + (j + n) % ${products})`)}, 1,
            case when j % 3 = 0 then (1000 + ((i * 31 + j * 17) % 20) * 500) / 2
                 else 1000 + ((i * 31 + j * 17) % 20) * 500 end
     from generate_series(1, ${m}) i, generate_series(1, ${perMerchant}) j, generate_series(1, 2) n
     where n = 1 or j % 3 = 0`,
    `insert into merchant_score (merchant_id, experience, integrity, band, computed_at)
     select ${uuid(`'m' || i`)}, 60 + i % 40, 70 + i % 30,
            case when i % 40 >= 30 then 'TOP' when i % 40 >= 20 then 'HIGH' when i % 40 >= 10 then 'MEDIUM' else 'LOW' end,
            ${LATEST}
     from generate_series(1, ${m}) i`,
    `insert into ledger_account (id, code, kind, merchant_id, balance, created_at)
     select ${uuid(`'a' || kind || i`)}, kind || ':' || ${uuid(`'m' || i`)}, kind, ${uuid(`'m' || i`)}, 0, ${LATEST}
     from generate_series(1, ${m}) i, unnest(array['MERCHANT_CASH', 'MERCHANT_AD']) kind`,
    `insert into ledger_account (id, code, kind, balance, created_at)
     values (gen_random_uuid(), 'FEE_INCOME', 'FEE_INCOME', 0, ${LATEST}) on conflict (code) do nothing`,
    `insert into ledger_transaction (id, kind, idempotency_key, request_hash, amount, merchant_id, order_id,
            policy_version, reason, actor, effective_at, created_at)
     select ${uuid(`'t' || o.id`)}, 'TECH_SERVICE_FEE', 'bench:' || o.id, md5(o.id::text), o.paid_amount * 6 / 1000,
            o.merchant_id, o.id, 1, 'technical service fee', 'bench', o.completed_at, o.completed_at
     from "order" o where o.status = 'COMPLETED'`,
    `insert into ledger_entry (id, transaction_id, account_id, amount)
     select ${uuid(`'e-cash' || t.id`)}, t.id, ${uuid(`'aMERCHANT_CASH' || substr(m.external_id, 6)`)}, -t.amount
     from ledger_transaction t join merchant m on m.id = t.merchant_id where t.actor = 'bench'
     union all
     select ${uuid(`'e-fee' || t.id`)}, t.id, (select id from ledger_account where code = 'FEE_INCOME'), t.amount
     from ledger_transaction t where t.actor = 'bench'`,
    `update ledger_account a set balance = s.total
     from (select account_id, sum(amount) as total from ledger_entry group by account_id) s where s.account_id = a.id`,
    `analyze`,
  ];
  await orm.em.transactional(async (em) => {
    for (const sql of statements) await em.getConnection().execute(sql, [], 'run', em.getTransactionContext());
  });
  return { loaded: true, ms: Date.now() - started };
}
