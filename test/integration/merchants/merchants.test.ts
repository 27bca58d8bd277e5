import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { DAY_MS } from '../../../src/shared/time';
import {
  MerchantDocument,
  MerchantsDocument,
  type MerchantsQuery,
  SetMerchantStatusDocument,
  UpsertMerchantDocument,
  type UpsertMerchantInput,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

const input = (values: Partial<UpsertMerchantInput> = {}): UpsertMerchantInput => ({
  externalId: 'SHOP-UPSERT-1',
  name: '杭州好物家居旗舰店',
  tier: 'STRENGTH',
  mainCategory: '家居',
  region: 'ZHEJIANG',
  deposit: '5000.00',
  ...values,
});

describe('merchants', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  describe('upsertMerchant', () => {
    it('creates, then updates the same merchant by externalId', async () => {
      const first = await app.data(UpsertMerchantDocument, { input: input() });
      expect(first.upsertMerchant.userErrors).toEqual([]);
      expect(first.upsertMerchant.created).toBe(true);
      expect(first.upsertMerchant.merchant).toMatchObject({
        name: '杭州好物家居旗舰店',
        tier: 'STRENGTH',
        status: 'ACTIVE',
        deposit: { amount: '5000.00', fen: '500000', currency: 'CNY' },
      });

      const second = await app.data(UpsertMerchantDocument, { input: input({ name: '杭州好物家居', deposit: '0.5' }) });
      expect(second.upsertMerchant.created).toBe(false);
      expect(second.upsertMerchant.merchant?.id).toBe(first.upsertMerchant.merchant?.id);
      expect(second.upsertMerchant.merchant?.deposit.amount).toBe('0.50');
      expect(await app.orm.em.fork().count(Merchant, { externalId: 'SHOP-UPSERT-1' })).toBe(1);
    });

    it("records a registration at the context clock's time, not the process's", async () => {
      app.clock.advance(3 * DAY_MS);
      try {
        const registered = await app.data(UpsertMerchantDocument, { input: input({ externalId: 'SHOP-CLOCK' }) });
        const { merchant } = await app.data(MerchantDocument, { id: registered.upsertMerchant.merchant!.id });
        const [registration] = merchant!.statusHistory;
        expect(registration.reason).toBe('merchant registered');
        expect(Math.abs(new Date(registration.changedAt).getTime() - app.clock.now().getTime())).toBeLessThan(DAY_MS);
      } finally {
        app.clock.reset();
      }
    });

    it('rejects negative or non-numeric money and unknown enums before anything runs', async () => {
      for (const variables of [
        { input: input({ deposit: '-1.00' }) },
        { input: input({ deposit: 'lots' }) },
        { input: input({ tier: 'PLATINUM' as never }) },
      ]) {
        const result = await app.execute(UpsertMerchantDocument, variables);
        expect(result.data).toBeUndefined();
        expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(result.errors?.[0].message).toMatch(/input/);
        expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|at .*\.ts/);
      }
    });

    it('two concurrent upserts of a new merchant create it once; the loser takes the update path', async () => {
      const results = await Promise.all([
        app.data(UpsertMerchantDocument, { input: input({ externalId: 'SHOP-RACE', name: '甲' }) }),
        app.data(UpsertMerchantDocument, { input: input({ externalId: 'SHOP-RACE', name: '乙' }) }),
      ]);
      expect(results.map((r) => r.upsertMerchant.created).sort()).toEqual([false, true]);
      expect(await app.orm.em.fork().count(Merchant, { externalId: 'SHOP-RACE' })).toBe(1);
    });

    it('rejects an empty name naming the field', async () => {
      const result = await app.execute(UpsertMerchantDocument, {
        input: input({ externalId: 'SHOP-EMPTY', name: '' }),
      });
      expect(result.errors?.[0].message).toMatch(/input\.name/);
      expect(await app.orm.em.fork().count(Merchant, { externalId: 'SHOP-EMPTY' })).toBe(0);
    });
  });

  describe('setMerchantStatus', () => {
    afterEach(() => app.clock.reset());

    it('warns first, waits out the 7-day remedy window, then clears, recording every move with its reason', async () => {
      const merchant = await factories(app.orm).merchant();
      const id = gid.merchant(merchant);
      const direct = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: id, status: 'CLEARED', reason: '违规' },
      });
      expect(direct.setMerchantStatus.userErrors).toEqual([
        expect.objectContaining({ code: 'ILLEGAL_TRANSITION', field: ['input', 'status'] }),
      ]);
      expect(direct.setMerchantStatus.merchant).toBeNull();

      const warned = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: id, status: 'WARNED', reason: '请整改' },
      });
      expect(warned.setMerchantStatus.merchant?.status).toBe('WARNED');
      const tooSoon = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: id, status: 'CLEARED', reason: '未整改' },
      });
      expect(tooSoon.setMerchantStatus.userErrors).toEqual([
        expect.objectContaining({ code: 'NOT_ELIGIBLE', field: ['input', 'status'] }),
      ]);
      expect(tooSoon.setMerchantStatus.userErrors[0].message).toMatch(
        /7 days: CLEARED is possible from \d{4}-\d\d-\d\dT/,
      );
      app.clock.advance(6.9 * DAY_MS);
      const stillTooSoon = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: id, status: 'RESTRICTED', reason: '限制经营' },
      });
      expect(stillTooSoon.setMerchantStatus.userErrors[0]?.code).toBe('NOT_ELIGIBLE');
      app.clock.advance(0.1 * DAY_MS);
      const cleared = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: id, status: 'CLEARED', reason: '未整改' },
      });
      expect(cleared.setMerchantStatus.merchant?.statusHistory).toMatchObject([
        { fromStatus: 'ACTIVE', toStatus: 'WARNED', reason: '请整改' },
        { fromStatus: 'WARNED', toStatus: 'CLEARED', reason: '未整改' },
      ]);
    });

    it('answers malformed and unknown ids with userErrors', async () => {
      const malformed = await app.data(SetMerchantStatusDocument, {
        input: { merchantId: 'nope', status: 'WARNED', reason: 'x' },
      });
      expect(malformed.setMerchantStatus.userErrors[0]).toMatchObject({
        code: 'INVALID_ID',
        field: ['input', 'merchantId'],
      });
      const unknown = await app.data(SetMerchantStatusDocument, {
        input: {
          merchantId: gid.merchant({ id: '00000000-0000-4000-8000-000000000000' }),
          status: 'WARNED',
          reason: 'x',
        },
      });
      expect(unknown.setMerchantStatus.userErrors[0]).toMatchObject({
        code: 'NOT_FOUND',
        field: ['input', 'merchantId'],
      });
    });
  });

  describe('queries', () => {
    it('merchant(id) returns the merchant with its products; a malformed id is BAD_USER_INPUT', async () => {
      const make = factories(app.orm);
      const merchant = await make.merchant({ name: '义乌小商品' });
      await make.product(merchant);
      const data = await app.data(MerchantDocument, { id: gid.merchant(merchant) });
      expect(data.merchant).toMatchObject({ name: '义乌小商品', products: { totalCount: 1 } });
      const bad = await app.execute(MerchantDocument, { id: 'garbage' });
      expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(
        (await app.data(MerchantDocument, { id: gid.merchant({ id: '00000000-0000-4000-8000-000000000001' }) }))
          .merchant,
      ).toBeNull();
    });

    it('filters by tier and region, sorts, and pages with cursors through every match exactly once', async () => {
      const make = factories(app.orm);
      for (let i = 0; i < 7; i++)
        await make.merchant({ name: `超级工厂${i}`, tier: 'SUPER_FACTORY' as never, region: 'GUANGDONG' as never });
      await make.merchant({ name: '超级工厂-浙江', tier: 'SUPER_FACTORY' as never, region: 'ZHEJIANG' as never });
      const filter = { tier: ['SUPER_FACTORY' as const], region: ['GUANGDONG' as const] };
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: MerchantsQuery = await app.data(MerchantsDocument, {
          first: 3,
          after,
          filter,
          sort: { field: 'NAME', direction: 'DESC' },
        });
        expect(page.merchants.totalCount).toBe(7);
        seen.push(...page.merchants.edges.map((e) => e.node.name));
        if (!page.merchants.pageInfo.hasNextPage) break;
        after = page.merchants.pageInfo.endCursor;
      }
      expect(seen).toEqual(['超级工厂6', '超级工厂5', '超级工厂4', '超级工厂3', '超级工厂2', '超级工厂1', '超级工厂0']);
    });

    it('refuses a cursor made for another sort order, and page sizes over 100', async () => {
      await factories(app.orm).merchant();
      const page = await app.data(MerchantsDocument, { first: 1, sort: { field: 'NAME', direction: 'ASC' } });
      const wrong = await app.execute(MerchantsDocument, {
        first: 1,
        after: page.merchants.pageInfo.endCursor,
        sort: { field: 'CREATED_AT', direction: 'ASC' },
      });
      expect(wrong.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      const tooMany = await app.execute(MerchantsDocument, { first: 101 });
      expect(tooMany.errors?.[0].message).toMatch(/first/);
    });
  });
});
