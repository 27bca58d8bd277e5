import fc from 'fast-check';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatement } from '../../../src/db/sql';
import { AuditEntry } from '../../../src/modules/audit/audit.entity';
import { LedgerTransaction } from '../../../src/modules/ledger/ledger.entity';
import { LedgerKind } from '../../../src/modules/ledger/ledger.enums';
import { factories } from '../../helpers/factories';
import { createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * `insertStatement` writes the rows MikroORM's query builder writes for the same data: inserted both
 * ways (under other ids), the rows read back are equal.
 */
describe('rows inserted without the query builder', () => {
  let app: TestApp;
  let em: EntityManager;
  let merchantId: string;
  beforeAll(async () => {
    app = await createTestApp();
    em = app.orm.em.fork() as EntityManager;
    merchantId = (await factories(app.orm).merchant()).id;
  });
  afterAll(() => app?.close());

  const rowOf = async (table: string, id: string) => {
    const [row] = await em.getConnection().execute(`select * from "${table}" where id = ?`, [id]);
    const { id: _id, ...rest } = row as Record<string, unknown>;
    return rest;
  };
  const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
  const when = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true });

  it('for ledger transactions and audit lines, with any text, amount and time', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.integer({ min: -1e15, max: 1e15 }),
        when,
        fc.boolean(),
        async (reason, key, amount, at, withMerchant) => {
          const posting = (id: string, idempotencyKey: string) => ({
            id,
            kind: LedgerKind.DISPUTE_COMPENSATION,
            idempotencyKey,
            requestHash: 'h',
            amount,
            merchant: withMerchant ? merchantId : null,
            order: null,
            caseId: null,
            appealId: null,
            period: null,
            policyVersion: 1,
            reversalOf: null,
            reason,
            actor: `FINANCE:${reason.slice(0, 10)}`,
            effectiveAt: at,
            createdAt: at,
          });
          const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
          await em.getConnection().execute(
            em
              .createQueryBuilder(LedgerTransaction)
              .insert(posting(a, `a${a}`))
              .getFormattedQuery(),
          );
          await em.getConnection().execute(insertStatement(em, LedgerTransaction, [posting(b, `a${a}`.replace(a, b))]));
          const [viaBuilder, viaStatement] = [
            await rowOf('ledger_transaction', a),
            await rowOf('ledger_transaction', b),
          ];
          expect({ ...viaStatement, idempotency_key: null }).toEqual({ ...viaBuilder, idempotency_key: null });

          const line = (id: string) => ({
            id,
            merchant: merchantId,
            action: 'LEDGER_POSTED',
            actor: key,
            subjectType: 'LEDGER_TRANSACTION',
            subjectId: id,
            cause: reason,
            occurredAt: at,
            createdAt: at,
            updatedAt: at,
          });
          await em.getConnection().execute(em.createQueryBuilder(AuditEntry).insert(line(a)).getFormattedQuery());
          await em.getConnection().execute(insertStatement(em, AuditEntry, [line(b)]));
          const [lineA, lineB] = [await rowOf('audit_entry', a), await rowOf('audit_entry', b)];
          expect({ ...lineB, subject_id: null }).toEqual({ ...lineA, subject_id: null });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('writes a missing property as the column default and refuses a value it cannot write', () => {
    const sql = insertStatement(em, AuditEntry, [{ action: 'A' }, { action: 'B', policyVersion: 3 }]);
    expect(sql).toBe(`insert into "audit_entry" ("action", "policy_version") values ('A', default), ('B', 3)`);
    expect(() => insertStatement(em, AuditEntry, [{ action: 'A', policyVersion: Number.NaN }])).toThrow(/finite/);
    expect(() => insertStatement(em, AuditEntry, [{ nope: 1 }])).toThrow(/no column/);
  });
});
