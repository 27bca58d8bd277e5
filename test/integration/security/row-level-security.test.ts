import type { Knex } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE, TenantDb } from '../../../src/db/tenant-db';
import { countStatements } from '../../../src/db/query-counter';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { IngestOrdersDocument, SetMerchantStatusDocument, UpsertProductDocument } from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

const TENANT_TABLES = [
  'merchant',
  'merchant_status_change',
  'product',
  'product_price',
  'order',
  'order_line',
  'order_status_change',
  'buyer',
];

/**
 * The database half of tenant isolation on its own: raw SQL as the application role, with no service
 * code in between.
 */
describe('row-level security', () => {
  let app: TestApp;
  let a: Merchant;
  let b: Merchant;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    [a, b] = [await make.merchant(), await make.merchant()];
    for (const merchant of [a, b]) {
      const buyer = await make.buyer();
      const product = await make.product(merchant);
      await app.data(IngestOrdersDocument, { input: [orderInput({ merchant, buyer, product })] });
      await app.data(SetMerchantStatusDocument, {
        input: { merchantId: gid.merchant(merchant), status: 'WARNED', reason: '测试' },
      });
    }
    await app.data(UpsertProductDocument, {
      input: { merchantId: gid.merchant(a), externalId: 'P-A', title: 't', category: 'c', price: '1.00' },
    });
  });
  afterAll(() => app?.close());

  /** Runs `work` in a transaction as the application role with the given settings (none: nothing set). */
  async function asApp<T>(settings: Record<string, string>, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    const knex = app.orm.em.getKnex();
    return knex.transaction(async (trx) => {
      await trx.raw(`set local role ${APP_ROLE}`);
      for (const [name, value] of Object.entries(settings))
        await trx.raw('select set_config(?, ?, true)', [name, value]);
      return work(trx);
    });
  }

  const countRows = (trx: Knex.Transaction, table: string) =>
    trx.raw(`select count(*)::int as n from "${table}"`).then((r: { rows: { n: number }[] }) => r.rows[0].n);

  it('every table but the shared ones has row-level security with a tenant policy', async () => {
    const shared = ['mikro_orm_migrations', 'policy_version'];
    const { rows } = await app.orm.em.getKnex().raw(
      `select c.relname as name, c.relrowsecurity as rls, exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'tenant_isolation') as policy
         from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    const unprotected = rows.filter(
      (t: { name: string; rls: boolean; policy: boolean }) => !shared.includes(t.name) && !(t.rls && t.policy),
    );
    expect(unprotected).toEqual([]);
  });

  it('every policy reads the tenant once per statement (sub-selects, init-plans), never per row', async () => {
    const { rows } = await app.orm.em
      .getKnex()
      .raw(`select tablename, qual, with_check from pg_policies where policyname = 'tenant_isolation' order by 1`);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows as { tablename: string; qual: string; with_check: string }[]) {
      for (const text of [row.qual, row.with_check]) {
        const calls = text.match(/weiquan_(is_platform|merchant_id)\(\)/g) ?? [];
        const wrapped = text.match(/\(\s*SELECT weiquan_(is_platform|merchant_id)\(\)/gi) ?? [];
        expect(wrapped.length, `${row.tablename}: ${text}`).toBe(calls.length);
      }
    }
    // The planner then keeps index order for a merchant's newest orders (no sort of every order).
    const plan = await app.orm.em.getKnex().transaction(async (trx) => {
      await trx.raw(`select set_config('role', ?, true), set_config('app.merchant_id', ?, true)`, [
        APP_ROLE,
        '00000000-0000-4000-8000-000000000000',
      ]);
      return (await trx.raw(`explain select * from "order" order by paid_at desc, id desc limit 51`)).rows
        .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
        .join('\n');
    });
    expect(plan).toMatch(/InitPlan|Index Scan|Index Only Scan/);
  });

  it('a read runs as the application role in the tenant, in one message, and leaves the connection as it was', async () => {
    const merchantId = '00000000-0000-4000-8000-00000000000a';
    const db = new TenantDb(app.orm.em.fork(), { platform: false, merchantId });
    const knex = db.knex();
    const who = () =>
      knex.select(knex.raw(`current_user as role, current_setting('app.merchant_id', true) as merchant`));
    const [inside] = await db.read((run) => run(who()));
    expect(inside).toEqual({ role: APP_ROLE, merchant: merchantId });
    // The settings were local to that implicit transaction: the pool's connections are clean after it.
    const after = (await knex.raw(`select current_user as role, current_setting('app.merchant_id', true) as merchant`))
      .rows[0];
    expect(after.role).not.toBe(APP_ROLE);
    expect(after.merchant || null).toBeNull();
  });

  it('reads sent together each get their own answer, in the tenant; a failing one fails alone', async () => {
    const merchantId = '00000000-0000-4000-8000-00000000000b';
    const db = new TenantDb(app.orm.em.fork(), { platform: false, merchantId });
    const knex = db.knex();
    const tenant = (n: number) =>
      knex.select(knex.raw(`${n} as n, current_setting('app.merchant_id', true) as merchant`));
    const { statements, messages, result } = await countStatements(() =>
      db.read((run) => Promise.allSettled([run(tenant(1)), run(knex.select(knex.raw('1 / 0 as n'))), run(tenant(3))])),
    );
    expect(statements).toHaveLength(3);
    expect(result[0]).toEqual({ status: 'fulfilled', value: [{ n: 1, merchant: merchantId }] });
    expect(result[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/division by zero/) },
    });
    expect(result[2]).toEqual({ status: 'fulfilled', value: [{ n: 3, merchant: merchantId }] });
    // one message for the three, then each again alone once the division failed the message
    expect(messages).toBe(4);
  });

  it('the application role is not a superuser, owns no table and cannot bypass RLS', async () => {
    const { rows } = await app.orm.em
      .getKnex()
      .raw('select rolsuper, rolbypassrls from pg_roles where rolname = ?', [APP_ROLE]);
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const owned = await app.orm.em
      .getKnex()
      .raw(`select count(*)::int as n from pg_tables where tableowner = ?`, [APP_ROLE]);
    expect(owned.rows[0].n).toBe(0);
  });

  it('a transaction set to merchant B sees none of A’s rows in any tenant table', async () => {
    await asApp({ 'app.merchant_id': b.id }, async (trx) => {
      const merchants = await trx.raw('select id from merchant');
      expect(merchants.rows).toEqual([{ id: b.id }]);
      expect((await trx.raw('select count(*)::int as n from "order" where merchant_id = ?', [a.id])).rows[0].n).toBe(0);
      expect((await trx.raw('select count(*)::int as n from product where merchant_id = ?', [a.id])).rows[0].n).toBe(0);
      for (const table of TENANT_TABLES) expect(await countRows(trx, table), table).toBeGreaterThan(0);
    });
    const leaked = await asApp({ 'app.merchant_id': b.id }, (trx) =>
      trx.raw(
        `select (select count(*) from order_line l join "order" o on o.id = l.order_id where o.merchant_id = ?)
              + (select count(*) from product_price pp join product p on p.id = pp.product_id where p.merchant_id = ?) as n`,
        [a.id, a.id],
      ),
    );
    expect(Number(leaked.rows[0].n)).toBe(0);
  });

  it('with no actor set, every tenant table is empty', async () => {
    await asApp({}, async (trx) => {
      for (const table of TENANT_TABLES) expect(await countRows(trx, table), table).toBe(0);
    });
    await asApp({ 'app.scope': 'platfrom' }, async (trx) => {
      expect(await countRows(trx, 'order')).toBe(0);
    });
  });

  it("B cannot write rows for A, nor change A's rows", async () => {
    await expect(
      asApp({ 'app.merchant_id': b.id }, (trx) =>
        trx.raw(
          `insert into product (id, created_at, updated_at, merchant_id, external_id, title, category, current_price)
                 values (gen_random_uuid(), now(), now(), ?, 'X', 'x', 'x', 1)`,
          [a.id],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const updated = await asApp({ 'app.merchant_id': b.id }, (trx) =>
      trx.raw(`update merchant set name = 'hacked' where id = ?`, [a.id]),
    );
    expect(updated.rowCount).toBe(0);
  });

  it('platform scope sees every merchant', async () => {
    await asApp({ 'app.scope': 'platform' }, async (trx) => {
      expect(await countRows(trx, 'merchant')).toBe(2);
    });
  });
});
