import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { LedgerKind } from '../../../src/modules/ledger/ledger.enums';
import { subsidiesService } from '../../../src/modules/ledger/subsidies.service';
import { ormConfig } from '../../../src/modules';
import { fundedShippedOrder } from '../../helpers/scenario';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A payout's statements are prepared once per connection (their planning cost PostgreSQL as much as
 * running them): on a pool of one connection, the second payout prepares them and later ones run them.
 */
describe('prepared statements of payouts', () => {
  let app: TestApp;
  let orm: MikroORM;
  let orderId: string;
  const prepared = async () =>
    (
      await orm.em
        .getConnection()
        .execute<{ statement: string }[]>('select statement from pg_prepared_statements order by statement')
    ).map((row) => row.statement);
  const pay = (idempotencyKey: string) =>
    subsidiesService.post(platformContext(orm, MODULES, 'FINANCE:test'), {
      kind: LedgerKind.TRANSIT_LOSS_COMPENSATION,
      orderId,
      amount: 100,
      idempotencyKey,
      reason: 'lost in transit',
    });

  beforeAll(async () => {
    app = await createTestApp();
    orderId = (await fundedShippedOrder(app)).id;
    orm = await MikroORM.init(ormConfig(app.databaseUrl, { poolMax: 1 }));
  });
  afterAll(async () => {
    await orm?.close();
    await app?.close();
  });

  it('prepares the reads, locks and writes of a payout on its connection, and pays the same with them', async () => {
    const first = await pay('first');
    expect(first.refusals).toEqual([]);
    expect((await pay('second')).refusals).toEqual([]);
    const statements = (await prepared()).join('\n');
    for (const part of [
      'from "order" as "t" inner join "buyer"',
      'from "merchant" as "t"',
      'from policy_version',
      'from ledger_account as t where t.code = any($1::text[]) order by t.code for update',
      'or t.order_id = $3::uuid',
      'with posted as (insert into "ledger_transaction"',
      'insert into "audit_entry"',
      'pg_notify',
    ]) {
      expect(statements).toContain(part);
    }
    const third = await pay('third');
    expect(third.refusals).toEqual([]);
    expect(third.transaction!.amount).toBe(100);
    // A replay answers the first posting, through the prepared key read.
    expect((await pay('first')).transaction!.id).toBe(first.transaction!.id);
  });
});
