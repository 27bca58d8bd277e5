import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerAccount } from '../../../src/modules/ledger/ledger.entity';
import { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { MerchantsDocument } from '../../generated/graphql';
import { factories } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A cursor is the client's to send back, so its value is client input: forged, it may hold any text a
 * text-sorted connection accepts. Written into a statement, it stays one literal — also on a shape's
 * first read, whose text is filled in rather than prepared (where `$'` once pasted SQL around it).
 */
describe('client text in statements', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    for (let i = 0; i < 3; i++) await make.merchant();
  });
  afterAll(() => app?.close());

  it("a forged cursor's value holding $', $& and SQL is a value: an answer, the same on a prepared read, nothing written", async () => {
    const first = await app.data(MerchantsDocument, { first: 1, sort: { field: 'NAME', direction: 'ASC' } });
    const [key, direction, tag] = JSON.parse(
      Buffer.from(first.merchants.pageInfo.endCursor!, 'base64url').toString(),
    ) as string[];
    const forge = (value: string) =>
      Buffer.from(JSON.stringify([key, direction, tag, value, '00000000-0000-4000-8000-000000000000'])).toString(
        'base64url',
      );
    const countRows = async () => {
      const em = app.orm.em.fork();
      return [await em.count(Merchant), await em.count(LedgerAccount, { balance: { $ne: 0 } })];
    };
    const before = await countRows();
    for (const value of [
      "$')) or true --",
      "$'); update merchant set name = 'pwned' --",
      "Z$'; delete from merchant --",
      '$&$`',
    ]) {
      const variables = { first: 5, after: forge(value), sort: { field: 'NAME' as const, direction: 'ASC' as const } };
      // The shape's first read with this cursor, then the same read prepared.
      const filled = await app.execute(MerchantsDocument, variables);
      const prepared = await app.execute(MerchantsDocument, variables);
      expect(filled.errors, value).toBeUndefined();
      expect(filled).toEqual(prepared);
    }
    expect(await countRows()).toEqual(before);
    const names = (await app.data(MerchantsDocument, { first: 50 })).merchants.edges.map((e) => e.node.name);
    expect(names).not.toContain('pwned');
  });
});
