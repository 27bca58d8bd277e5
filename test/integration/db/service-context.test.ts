import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMutation, runReadOnly } from '../../../src/db/transaction';
import { MODULES } from '../../../src/modules';
import { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { merchantsService } from '../../../src/modules/merchants/merchants.service';
import { merchantContext, platformContext } from '../../../src/server/context';
import { MerchantTier, Province } from '../../../src/shared/enums';
import { factories } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * The one context every service takes (src/db/session.ts): a job's or a CLI command's is built as a
 * request's is, a transaction derives its own from it, and what the context may not do inside a
 * transaction (read through the request's loaders, which would not see its writes) fails loudly.
 */
describe('the service context', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it("a transaction's context carries the outer context's actor, tenant and clock, and a memo of its own", async () => {
    const merchant = await factories(app.orm).merchant();
    const clock = { now: () => new Date('2026-03-01T08:00:00Z') };
    const outer = platformContext(app.orm, MODULES, 'job:context-test', clock);
    expect(outer.memo).toBeNull();
    const seen = await runMutation(outer, async (tx) => ({
      label: tx.actorLabel,
      platform: tx.scope.platform,
      now: tx.now().toISOString(),
      hasMemo: tx.memo !== null,
    }));
    expect(seen).toMatchObject({
      label: 'job:context-test',
      platform: true,
      now: '2026-03-01T08:00:00.000Z',
      hasMemo: true,
    });
    const mine = merchantContext(app.orm, MODULES, merchant.id, 'MERCHANT:test');
    expect(await runMutation(mine, async (tx) => ({ scope: tx.scope }))).toMatchObject({
      scope: { platform: false, merchantId: merchant.id },
    });
  });

  it("inside a transaction the request's loaders are refused: they would read beside it, blind to its writes", async () => {
    const ctx = platformContext(app.orm, MODULES, 'test');
    await expect(runMutation(ctx, async (tx) => ({ loaders: tx.loaders }))).rejects.toThrow(
      'loaders read outside the transaction',
    );
    await expect(runReadOnly(ctx, async (snapshot) => snapshot.loaders)).rejects.toThrow(
      'loaders read outside the transaction',
    );
    // Outside a transaction they are the context's own, made once.
    expect(ctx.loaders.merchants).toBe(ctx.loaders.merchants);
  });

  it('a read-only run sees what it wrote, and leaves nothing behind', async () => {
    const ctx = platformContext(app.orm, MODULES, 'test');
    const externalId = `SHOP-rolled-back-${Date.now()}`;
    const inside = await runReadOnly(ctx, async (snapshot) => {
      const merchant = snapshot.em.create(Merchant, {
        externalId,
        name: '只读商家',
        tier: MerchantTier.STANDARD,
        mainCategory: '家居',
        region: Province.ZHEJIANG,
        deposit: 0,
      });
      await snapshot.em.flush();
      return (await merchantsService.findByIds(snapshot, [merchant.id])).length;
    });
    expect(inside).toBe(1);
    expect(await app.orm.em.fork().count(Merchant, { externalId })).toBe(0);
  });
});
