import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/security/roles';
import { OrderStatus } from '../../../src/shared/enums';
import { DAY_MS } from '../../../src/shared/time';
import { PublishPolicyDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const BandDocument = parse(
  'query ($id: ID!) { merchant(id: $id) { name trust { band } } }',
) as unknown as TypedDocumentNode<{ merchant: { name: string; trust: { band: string } } | null }, { id: string }>;

/**
 * A merchant's trust band counts its orders over the policy's window (fewer than
 * `newMerchantMinOrders`, 30: band NEW). The count starts with the window of the timeline the process
 * read last, so it travels in the merchant's own message, and is read again when the request's own
 * timeline has another window.
 */
describe("a merchant's trust band", () => {
  let app: TestApp;
  let merchantId: string;
  const count = (statements: string[]) => statements.filter((sql) => /count\(\*\) as "n"/.test(sql));

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    const merchant = await make.merchant();
    merchantId = gid.merchant(merchant);
    // 30 orders paid 40 days ago: inside the 90-day window, outside a 30-day one.
    const paidAt = new Date(Date.now() - 40 * DAY_MS);
    await make.orders(
      [
        {
          merchant,
          buyer: await make.buyer(),
          product: await make.product(merchant),
          count: 30,
          status: OrderStatus.COMPLETED,
          values: { paidAt },
        },
      ],
      1,
    );
  });
  afterAll(() => app?.close());

  it('is read in the merchant’s message, and again with the new window once a version changes it', async () => {
    await app.data(BandDocument, { id: merchantId });
    const settled = await app.roundTripsOf(BandDocument, { id: merchantId });
    expect(settled.messages).toBe(1);
    expect(count(settled.statements)).toHaveLength(1);
    expect((await app.data(BandDocument, { id: merchantId })).merchant!.trust.band).not.toBe('NEW');

    const { publishPolicy } = await app.as(actors.role(Role.POLICY_ADMIN)).data(PublishPolicyDocument, {
      input: { changes: { trust: { windowDays: 30 } }, note: '考核窗口改为 30 天' },
    });
    expect(publishPolicy.userErrors).toEqual([]);

    // The process last read the 90-day window: counted with it, then again with 30 days.
    const changed = await app.roundTripsOf(BandDocument, { id: merchantId });
    expect(changed.messages).toBe(2);
    expect(count(changed.statements)).toHaveLength(2);
    expect((await app.data(BandDocument, { id: merchantId })).merchant!.trust.band).toBe('NEW');
    const after = await app.roundTripsOf(BandDocument, { id: merchantId });
    expect(after.messages).toBe(1);
  });
});
