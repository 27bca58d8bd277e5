import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../../../src/db/query-counter';
import { merchantContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { asPlatform, runMutation } from '../../../src/db/transaction';
import { MerchantStatus } from '../../../src/shared/enums';
import { Role } from '../../../src/security/roles';
import { DAY_MS } from '../../../src/shared/time';
import { AllocateFundDocument, AuditLogDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { caseUnderReview, scenario } from '../../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

describe("a merchant's audit log", () => {
  let app: TestApp;
  const logOf = async (merchant: { id: string }) =>
    (
      await app.as(actors.merchant(merchant)).data(AuditLogDocument, {
        id: gid.merchant(merchant),
        first: 100,
        sort: { field: 'CREATED_AT', direction: 'ASC' },
      })
    ).merchant!.auditLog.edges.map((e) => e.node);

  beforeAll(async () => {
    app = await createTestApp();
    await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '10000', reason: 'budget', idempotencyKey: 'audit-budget' },
    });
  });
  afterAll(() => app?.close());

  it('lists every platform action of a scenario, in order, with actor and cause, written with the action', async () => {
    const { merchant } = await scenario(app)
      .merchant()
      .order({ shippedHoursAgo: 40 }) // 60 h after payment: late, a score event of its own in the log
      .case('REFUND_ONLY', { requestedAmount: '150.00' })
      .underReview()
      .ruled({ ruling: 'REFUND_PARTIAL', refundAmount: '50.00', reason: '部分退款' })
      .appeal()
      .decided({ compensation: '20.00' });

    const { merchant: seen } = await app.as(actors.merchant(merchant)).data(AuditLogDocument, {
      id: gid.merchant(merchant),
      first: 100,
      sort: { field: 'CREATED_AT', direction: 'ASC' },
    });
    const log = seen!.auditLog.edges.map((e) => e.node);
    const story = log.filter((l) => l.action !== 'SCORE_EVENT').map((l) => [l.action, l.actor, l.cause]);
    expect(story).toEqual([
      ['CASE_OPENED', 'INGEST:test-ingest', 'refund-only case opened'],
      ['CASE_DECISION', 'ADMIN:test-admin', 'intervention decision: PLATFORM_REVIEWS'],
      ['CASE_RULED', 'ARBITRATOR:test-arbitrator', 'ruled REFUND_PARTIAL, refund 50.00 yuan, merchant at fault'],
      ['LEDGER_POSTED', 'ARBITRATOR:test-arbitrator', 'BUYER_EXPERIENCE_COUPON 5.00 yuan'],
      ['APPEAL_MOVED', expect.stringMatching(/^MERCHANT:/), 'new → SUBMITTED: filed by the merchant'],
      [
        'APPEAL_MOVED',
        'ARBITRATOR:test-arbitrator',
        'SUBMITTED → UNDER_REVIEW: assigned to ARBITRATOR:test-arbitrator',
      ],
      ['APPEAL_MOVED', 'ARBITRATOR:test-arbitrator', 'UNDER_REVIEW → UPHELD: 证据充分'],
      ['LEDGER_POSTED', 'ARBITRATOR:test-arbitrator', 'APPEAL_COMPENSATION 20.00 yuan'],
    ]);
    // Score events: the late shipment, the ruling's fault, and after the appeal its void and outcome.
    const scoreLines = log.filter((l) => l.action === 'SCORE_EVENT').map((l) => l.cause);
    expect(scoreLines).toEqual([
      'SHIPPED_LATE',
      'AFTER_SALES_MERCHANT_AT_FAULT',
      'AFTER_SALES_MERCHANT_AT_FAULT',
      'APPEAL_UPHELD',
    ]);
    expect(log.find((l) => l.action === 'CASE_DECISION')?.policyVersion).toBe(1);
    // An appeal's decision records the policy version it applied; its other moves name none.
    expect(log.find((l) => l.cause.startsWith('UNDER_REVIEW → UPHELD'))?.policyVersion).toBe(1);
    expect(log.find((l) => l.cause.startsWith('new → SUBMITTED'))?.policyVersion).toBeNull();

    // A console opens on the newest lines: the default order is the reverse.
    const { merchant: newestFirst } = await app.as(actors.merchant(merchant)).data(AuditLogDocument, {
      id: gid.merchant(merchant),
      first: 100,
    });
    expect(newestFirst!.auditLog.edges.map((e) => e.node)).toEqual([...log].reverse());
  });

  it('a full refund of a promoted order: the ruling comes before everything it caused', async () => {
    const merchant = await factories(app.orm).merchant();
    const { rule } = await caseUnderReview(app, merchant, 'AUDIT-FULL');
    const before = (await logOf(merchant)).length;
    await rule();
    const ruling = (await logOf(merchant)).slice(before).map((l) => [l.action, l.cause]);
    expect(ruling[0]).toEqual(['CASE_RULED', expect.stringContaining('ruled REFUND_FULL')]);
    expect(ruling.slice(1)).toEqual(
      expect.arrayContaining([
        ['LEDGER_POSTED', expect.stringContaining('BUYER_EXPERIENCE_COUPON')],
        ['LEDGER_POSTED', expect.stringContaining('PROMOTION_FEE_REBATE')],
        ['SCORE_EVENT', 'AFTER_SALES_MERCHANT_AT_FAULT'],
      ]),
    );
  });

  it("a ruling and its postings are stamped by the context's clock, not the wall clock", async () => {
    const merchant = await factories(app.orm).merchant();
    const { rule } = await caseUnderReview(app, merchant, 'AUDIT-CLOCK');
    const before = (await logOf(merchant)).length;
    app.clock.advance(2 * DAY_MS);
    try {
      await rule();
    } finally {
      app.clock.reset();
    }
    const lines = (await logOf(merchant)).slice(before);
    const postings = lines.filter((l) => l.action === 'LEDGER_POSTED');
    expect(postings.length).toBeGreaterThan(0);
    expect(lines.map((l) => l.action)).toContain('CASE_RULED');
    for (const line of lines) expect(Date.parse(line.occurredAt), line.action).toBeGreaterThan(Date.now() + DAY_MS);
  });

  it('is append-only in the database', async () => {
    await expect(app.orm.em.getConnection().execute(`update audit_entry set cause = 'rewritten'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(app.orm.em.getConnection().execute(`delete from audit_entry`)).rejects.toThrow(/append-only/);
  });

  it("writes a transaction's lines in one insert before commit; another merchant's in the platform's scope", async () => {
    const make = factories(app.orm);
    const [mine, theirs] = [await make.merchant(), await make.merchant()];
    const changed = (merchant: { id: string }, reason: string) => ({
      type: 'MerchantStatusChanged' as const,
      merchantId: merchant.id,
      changeId: randomUUID(),
      from: MerchantStatus.ACTIVE,
      to: MerchantStatus.ACTIVE,
      reason,
      at: new Date(),
    });
    const { statements } = await countStatements(() =>
      runMutation(merchantContext(app.orm, MODULES, mine.id, 'test-merchant'), async (tx) => {
        await tx.emit(changed(mine, 'first'));
        // The platform acting inside the merchant's mutation, about another merchant.
        await asPlatform(tx, (platformTx) => platformTx.emit(changed(theirs, 'theirs')));
        await tx.emit(changed(mine, 'second'));
        return {};
      }),
    );
    const inserts = statements.filter((sql) => /insert into "audit_entry"/.test(sql));
    // The merchant's own lines together; the line its scope may not write, in the platform's.
    expect(inserts).toHaveLength(2);
    expect(statements.indexOf(inserts[1])).toBeGreaterThan(statements.indexOf(inserts[0]));
    expect((await logOf(mine)).map((line) => line.cause)).toEqual([
      'ACTIVE → ACTIVE: first',
      'ACTIVE → ACTIVE: second',
    ]);
    expect((await logOf(theirs)).map((line) => line.cause)).toEqual(['ACTIVE → ACTIVE: theirs']);
  });
});
