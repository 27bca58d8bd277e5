import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../../src/security/roles';
import { PostSubsidyDocument, RuleOnCaseDocument } from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { caseUnderReview, fundedShippedOrder } from '../../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

/** The benchmark's payout request: what the payout itself costs, with nothing read for the answer. */
const PayoutDocument = parse(
  'mutation ($input: PostSubsidyInput!) { postSubsidy(input: $input) { transaction { id } userErrors { code } } }',
) as unknown as TypedDocumentNode<unknown, { input: Record<string, unknown> }>;

/**
 * A payout is a round trip per step, not per statement: BEGIN and the tenant's settings with the
 * order and its buyer, the policy timeline and an earlier posting with the key; the merchant, the accounts
 * locked, the key again and the earlier claims on the order; the posting's rows, balances, audit line
 * and live notification with COMMIT, so the fund's row is held for one turn of the event loop.
 */
describe('round trips of payouts', () => {
  let app: TestApp;
  let orderId: string;
  const finance = () => app.as(actors.role(Role.FINANCE));

  beforeAll(async () => {
    app = await createTestApp();
    orderId = gid.order(await fundedShippedOrder(app));
  });
  afterAll(() => app?.close());

  const claim = (idempotencyKey: string, amount = '10.00') => ({
    input: { kind: 'TRANSIT_LOSS_COMPENSATION' as const, orderId, amount, idempotencyKey, reason: 'lost in transit' },
  });

  it('posts a compensation in 3 round trips, its audit line and notification in the message that commits', async () => {
    const { statements, messages } = await finance().roundTripsOf(PayoutDocument, claim('loss-1'));
    expect(messages).toBe(3);
    expect(statements.some((sql) => /insert into "audit_entry"/.test(sql))).toBe(true);
    expect(statements.some((sql) => /pg_notify/.test(sql))).toBe(true);
    const { postSubsidy } = await finance().data(PostSubsidyDocument, claim('loss-1'));
    expect(postSubsidy.userErrors).toEqual([]);
    expect(postSubsidy.transaction!.amount.amount).toBe('10.00');
  });

  it('answers a replay from the first message, and a second claim counts the first against the order', async () => {
    const replay = await finance().roundTripsOf(PayoutDocument, claim('loss-1'));
    expect(replay.statements.some((sql) => /insert into "ledger_transaction"/.test(sql))).toBe(false);
    expect(replay.messages).toBeLessThanOrEqual(2);
    const second = await finance().roundTripsOf(PayoutDocument, claim('loss-2', '5.00'));
    expect(second.messages).toBeLessThanOrEqual(3);
    // The order's goods are worth 99.00: 15.00 is claimed, so a claim of 1,000.00 pays the 84.00 left,
    // and the next finds nothing left.
    const rest = await finance().data(PostSubsidyDocument, claim('loss-3', '1000.00'));
    expect(rest.postSubsidy.transaction!.amount.amount).toBe('84.00');
    const none = await finance().data(PostSubsidyDocument, claim('loss-4', '1.00'));
    expect(none.postSubsidy.userErrors.map((e) => e.code)).toEqual(['CAP_EXCEEDED']);
  });

  it('a ruling that pays reads the policy timeline once, for the case, the scores and every payout', async () => {
    const c = await caseUnderReview(app, await factories(app.orm).merchant(), 'ROUND-TRIPS-1');
    const { statements, messages } = await app
      .as(actors.role(Role.ARBITRATOR))
      .roundTripsOf(RuleOnCaseDocument, { input: { caseId: c.caseId, ruling: 'REFUND_FULL', reason: '质量问题属实' } });
    const inTransaction = statements.slice(0, statements.indexOf('commit') + 1);
    expect(inTransaction.filter((sql) => /from "?policy_version"?/.test(sql))).toHaveLength(1);
    // The full refund of a promoted order pays the coupon and the promotion-fee rebate.
    expect(inTransaction.filter((sql) => /insert into "ledger_transaction"/.test(sql)).length).toBeGreaterThan(0);
    // The ruling's, the score event's and both postings' audit lines: one insert, last.
    expect(inTransaction.filter((sql) => /insert into "audit_entry"/.test(sql))).toHaveLength(1);
    // 53 statements in 47 round trips when issue 23 was filed, which asks for ≤ 20 statements. The
    // case is locked with its order's other cases (their refunds are read with it), the order with
    // its buyer and merchant (the payouts take them from the transaction's memo), the score events
    // are inserted by the statement that reads the new sums and the scores are upserted in one more,
    // each posting's rows and balances are one statement, a posting opens and locks its accounts in
    // one, a payout reads its key and the order's earlier postings together, and a refund reads no
    // order lines (only a shipment's event names products).
    expect(inTransaction.length).toBeLessThanOrEqual(20);
    expect(inTransaction.filter((sql) => /from "after_sales_case"/.test(sql))).toHaveLength(1);
    expect(inTransaction.filter((sql) => /inner join "buyer"/.test(sql))).toHaveLength(1);
    expect(inTransaction.filter((sql) => /"merchant"/.test(sql) && !/inner join "merchant"/.test(sql))).toHaveLength(0);
    expect(inTransaction.filter((sql) => /insert into "score_event"/.test(sql))).toHaveLength(1);
    expect(inTransaction.filter((sql) => /from "order_line"/.test(sql))).toHaveLength(0);
    expect(messages).toBeLessThanOrEqual(14);
    expect(inTransaction.filter((sql) => /^select .* from "order" as "o" .*for update of "o"$/.test(sql))).toHaveLength(
      1,
    );
  });
});
