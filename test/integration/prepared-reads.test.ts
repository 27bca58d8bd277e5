import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { templated } from '../../src/db/read-statements';
import { type Row, TenantDb } from '../../src/db/tenant-db';
import { MODULES, ormConfig } from '../../src/modules';
import { createRequestContext } from '../../src/server/context';
import { factories, gid } from '../helpers/factories';
import { actors, createTestApp, type TestApp } from '../helpers/test-app';
import { OrdersDocument } from '../generated/graphql';

/**
 * A read shape is parsed and planned once per connection: from its second read on it runs as a
 * prepared statement, prepared in the message that first needs it; a failed message leaves no
 * doubt about what a connection has prepared.
 */
describe('prepared reads', () => {
  let app: TestApp;
  let orm: MikroORM;
  let merchants: Awaited<ReturnType<ReturnType<typeof factories>['merchant']>>[];
  let ordersOf: Map<string, string[]>;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    merchants = [await make.merchant({ name: '甲店' }), await make.merchant({ name: '乙店' })];
    const buyer = await make.buyer();
    const placed = await make.orders(
      await Promise.all(
        merchants.map(async (merchant, i) => ({
          merchant,
          buyer,
          product: await make.product(merchant),
          count: 2 + i,
        })),
      ),
    );
    ordersOf = new Map(
      merchants.map((m) => [
        m.id,
        placed
          .filter((o) => o.merchant.id === m.id)
          .map(gid.order)
          .sort(),
      ]),
    );
    // One pooled connection, so every message of the test meets the same prepared statements.
    orm = await MikroORM.init(ormConfig(app.databaseUrl, { poolMax: 1 }));
  });
  afterAll(async () => {
    await orm?.close();
    await app?.close();
  });

  const shopName = (merchantId: string, shape = 'name') =>
    templated(
      `test|prepared-reads|${shape}`,
      (values) => orm.em.getKnex()('merchant as t').select('t.name').whereRaw('t.id = ?::uuid', [values.merchantId!]),
      { merchantId },
    );
  /** The shop's name and, read in the same message (so on the same connection), what it has prepared. */
  const readWithPrepared = async (db: TenantDb, merchantId: string, extra?: string, shape?: string) =>
    db.read(async (run) => {
      const reads: Promise<Row[]>[] = [
        run(shopName(merchantId, shape)),
        run('select name, statement from pg_prepared_statements'),
      ];
      if (extra) reads.push(run(extra));
      const [names, prepared] = await Promise.all(reads);
      return { name: names[0]?.name, prepared: prepared.map((row) => row.name as string) };
    });

  it('prepares a shape on its second read and runs it with each read’s own values', async () => {
    const db = () => new TenantDb(orm.em.fork(), { platform: true, merchantId: null });
    const first = await readWithPrepared(db(), merchants[0].id);
    expect(first.name).toBe('甲店');
    const template = (shopName(merchants[0].id) as { template: { name: string } }).template.name;
    expect(first.prepared).not.toContain(template);

    const second = await readWithPrepared(db(), merchants[1].id);
    expect(second).toEqual({ name: '乙店', prepared: expect.arrayContaining([template]) });
    const third = await readWithPrepared(db(), merchants[0].id);
    expect(third.name).toBe('甲店');
    expect(third.prepared.filter((name) => name === template)).toHaveLength(1);
  });

  it('reads on after a failed message that was preparing a shape', async () => {
    const platform = () => new TenantDb(orm.em.fork(), { platform: true, merchantId: null });
    await readWithPrepared(platform(), merchants[0].id, undefined, 'failing');
    // The shape's second read prepares it in a message that fails; the failing read fails alone
    // (its siblings are sent again one by one) and the shape's read still answers.
    const names: string[] = [];
    await expect(
      platform().read(async (run) => {
        const [shop, failing] = await Promise.allSettled([
          run(shopName(merchants[0].id, 'failing')),
          run('select 1/0'),
        ]);
        if (shop.status === 'fulfilled') names.push(shop.value[0].name as string);
        if (failing.status === 'rejected') throw failing.reason;
      }),
    ).rejects.toThrow(/division by zero/);
    expect(names).toEqual(['甲店']);
    for (const merchant of [merchants[1], merchants[0]]) {
      const after = await readWithPrepared(platform(), merchant.id, undefined, 'failing');
      expect(after.name).toBe(merchant.name);
    }
  });

  it('keeps row-level security in force for a prepared read: another tenant’s row is not there', async () => {
    const asMerchant = (merchantId: string) => new TenantDb(orm.em.fork(), { platform: false, merchantId });
    await readWithPrepared(asMerchant(merchants[0].id), merchants[0].id);
    expect((await readWithPrepared(asMerchant(merchants[0].id), merchants[0].id)).name).toBe('甲店');
    // The shape asks for merchant 1's row by id; the database itself refuses it to merchant 0.
    expect((await readWithPrepared(asMerchant(merchants[0].id), merchants[1].id)).name).toBeUndefined();
  });

  it('filters that differ only in the merchant share one prepared statement, each read with its own merchant', async () => {
    const ordersFor = async (merchantId: string) => {
      const response = await app.apollo.executeOperation(
        { query: OrdersDocument, variables: { first: 10, filter: { merchantId: gid.merchant({ id: merchantId }) } } },
        { contextValue: createRequestContext(orm, MODULES, { actor: actors.admin }) },
      );
      if (response.body.kind !== 'single' || response.body.singleResult.errors) throw new Error('the read failed');
      const { orders } = response.body.singleResult.data as { orders: { edges: { node: { id: string } }[] } };
      return orders.edges.map(({ node }) => node.id).sort();
    };
    for (const merchant of [...merchants, ...merchants, ...merchants]) {
      expect(await ordersFor(merchant.id)).toEqual(ordersOf.get(merchant.id));
    }
    const platform = new TenantDb(orm.em.fork(), { platform: true, merchantId: null });
    const prepared = await platform.read((run) =>
      run(
        `select name, statement from pg_prepared_statements where statement like '%from "order" as "t"%merchant_id%'`,
      ),
    );
    // One text for both merchants' filters (the page and its count), the merchant a parameter.
    const texts = prepared.map(
      ({ name, statement }) => (statement as string).match(new RegExp(`prepare ${name} as ([^;]*)`))![1],
    );
    expect(texts).toHaveLength(2);
    for (const text of texts) {
      expect(text).toMatch(/"t"\."merchant_id" = \$1/);
      for (const merchant of merchants) expect(text).not.toContain(merchant.id);
    }
  });
});
