import { merchantContext, platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../../../src/db/query-counter';
import { runMutation } from '../../../src/db/transaction';
import { ormConfig } from '../../../src/modules';
import { Refused, RefusalCode, refusal } from '../../../src/shared/refusal';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * A mutation's BEGIN and tenant settings ride with its first statement and its last writes with COMMIT
 * (src/db/riders.ts). On one pooled connection, so that what one transaction queued could only leak
 * into the next one there.
 */
describe('statements riding with the next statement of a transaction', () => {
  let app: TestApp;
  let orm: MikroORM;
  const merchant = '00000000-0000-4000-8000-000000000001';
  const contextOf = (merchantId: string | null = null) =>
    merchantId === null ? platformContext(orm, MODULES, 'test') : merchantContext(orm, MODULES, merchantId, 'test');
  const probe = (id: number) => `insert into rider_probe (id) values (${id})`;
  const probed = async () =>
    (await orm.em.getConnection().execute<{ id: number }[]>('select id from rider_probe order by id')).map((r) => r.id);

  beforeAll(async () => {
    app = await createTestApp();
    orm = await MikroORM.init(ormConfig(app.databaseUrl, { poolMax: 1 }));
    // Readable and writable by the application role only within the tenant whose rows they are.
    await orm.em.getConnection().execute(`
      create table rider_probe (id int primary key, merchant_id uuid);
      grant select, insert on rider_probe to weiquan_app;
      alter table rider_probe enable row level security;
      create policy tenant on rider_probe using (current_setting('app.scope', true) = 'platform'
        or merchant_id::text = current_setting('app.merchant_id', true));`);
  });
  afterAll(async () => {
    await orm?.close();
    await app?.close();
  });

  it('sends a mutation that only writes in one message: BEGIN, settings, writes and COMMIT together', async () => {
    const { messages, statements } = await countStatements(() =>
      runMutation(contextOf(), async (tx) => {
        tx.write(probe(1));
        tx.write(probe(2));
        return {};
      }),
    );
    expect(messages).toBe(1);
    expect(statements.map((sql) => sql.split(' ')[0])).toEqual(['begin', 'select', 'insert', 'insert', 'commit']);
    expect(await probed()).toEqual([1, 2]);
  });

  it('a last write that fails rolls back the whole transaction, reports the ORM exception and leaves the connection clean', async () => {
    const failing = runMutation(contextOf(), async (tx) => {
      tx.write(probe(3));
      tx.write(probe(1));
      return {};
    });
    await expect(failing).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await probed()).toEqual([1, 2]);
    // The one pooled connection is usable: not left inside the aborted transaction.
    await runMutation(contextOf(), async (tx) => {
      tx.write(probe(4));
      return {};
    });
    expect(await probed()).toEqual([1, 2, 4]);
  });

  it("a refused mutation's queued writes and settings never reach the next transaction on the connection", async () => {
    const { result: refused, messages } = await countStatements(() =>
      runMutation<{ written: boolean }>(contextOf(merchant), async (tx) => {
        tx.write(probe(5));
        throw new Refused([refusal(RefusalCode.INVALID_INPUT, 'no', ['input'])]);
      }),
    );
    expect(refused.refusals).toHaveLength(1);
    // It sent nothing before it was refused, so neither its BEGIN nor its ROLLBACK went to the server.
    expect(messages).toBe(0);
    // The next transaction on the connection is another tenant's: the refused write never ran, and
    // the rows it reads are its own (none).
    const next = await runMutation(contextOf('00000000-0000-4000-8000-000000000002'), async (tx) => {
      const [rows] = await tx.read({ statements: ['select id from rider_probe'], parse: ([r]) => r });
      return { rows };
    });
    expect(next.rows).toEqual([]);
    expect(await probed()).toEqual([1, 2, 4]);
  });

  it('settings in front of a parameterised first statement go just before it, and hold for it', async () => {
    const outcome = await runMutation(contextOf(merchant), async (tx) => {
      await tx.em
        .getConnection()
        .execute(
          'insert into rider_probe (id, merchant_id) values (?, ?)',
          [6, merchant],
          'run',
          tx.em.getTransactionContext(),
        );
      const rows = await tx.em
        .getConnection()
        .execute<{ id: number }[]>(
          'select id from rider_probe where id > ?',
          [0],
          'all',
          tx.em.getTransactionContext(),
        );
      return { ids: rows.map((row) => row.id) };
    });
    // Row-level security applied to both statements: the tenant sees its own row only.
    expect(outcome.ids).toEqual([6]);
  });
});
