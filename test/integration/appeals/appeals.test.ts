import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBus } from '../../../src/db/events';
import { toGlobalId } from '../../../src/graphql/global-id';
import { platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { Appeal } from '../../../src/modules/appeals/appeals.entity';
import { AuditEntry } from '../../../src/modules/audit/audit.entity';
import { appealsService } from '../../../src/modules/appeals/appeals.service';
import { LedgerTransaction } from '../../../src/modules/ledger/ledger.entity';
import { ScoreEvent } from '../../../src/modules/trust/trust.entity';
import { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import { Role } from '../../../src/security/roles';
import { MerchantTier } from '../../../src/shared/enums';
import {
  AllocateFundDocument,
  AnswerAppealDocument,
  AppealDocument,
  AppealQueueDocument,
  AppealRequirementsDocument,
  AssignAppealDocument,
  DecideAppealDocument,
  type FileAppealInput,
  FileAppealDocument,
  MerchantTrustDocument,
  ReportForceMajeureDocument,
  RequestAppealEvidenceDocument,
  WithdrawAppealDocument,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { orderPlacer } from '../../helpers/orders';
import { scenario } from '../../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const local = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1];
const EVIDENCE = [
  { kind: 'DESCRIPTION' as const, text: '物流延误，非商家原因' },
  { kind: 'LOGISTICS_RECORD' as const, url: 'https://logistics.example/track/1' },
];

describe('appeals', () => {
  let app: TestApp;
  let merchant: Merchant;
  const place = orderPlacer(() => app);
  const arbitrator = () => app.as(actors.role(Role.ARBITRATOR));
  const asMerchant = (m: { id: string } = merchant) => app.as(actors.merchant(m));
  const appealInput = (orderId: string, values: Partial<FileAppealInput> = {}, m: { id: string } = merchant) => ({
    merchantId: gid.merchant(m),
    kind: 'ABNORMAL_ORDER' as const,
    subjectType: 'ORDER' as const,
    subjectId: orderId,
    statement: '该订单延迟发货系物流公司原因',
    evidence: EVIDENCE,
    ...values,
  });
  const file = async (orderId: string, values: Partial<FileAppealInput> = {}, m: { id: string } = merchant) => {
    const { fileAppeal } = await asMerchant(m).data(FileAppealDocument, { input: appealInput(orderId, values, m) });
    if (fileAppeal.userErrors.length) throw new Error(JSON.stringify(fileAppeal.userErrors));
    return fileAppeal.appeal!;
  };
  const experience = async (m: { id: string } = merchant) =>
    (await app.data(MerchantTrustDocument, { id: gid.merchant(m) })).merchant!.trust.experienceScoreExact;
  /** Promoted and completed, shipped 60 h after payment: 12 h after its 48-hour ship-by time. */
  const lateOrder = async () =>
    (await scenario(app).merchant(merchant).order({ promoted: true, shippedHoursAgo: 40, status: 'COMPLETED' }))
      .orderId;

  beforeAll(async () => {
    app = await createTestApp();
    const make = factories(app.orm);
    merchant = await make.merchant();
    // Enough orders in the window for the merchant to have a score (not band NEW).
    await make.orders([
      {
        merchant,
        buyer: await make.buyer(),
        product: await make.product(merchant),
        count: POLICY.trust.newMerchantMinOrders,
      },
    ]);
    await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100000', reason: 'budget', idempotencyKey: 'appeals-budget' },
    });
    eventBus.onBlocking('AppealDecided', { name: 'test.failingLastStep' }, async (_tx, events) => {
      if (events.some((e) => e.reason === 'the last step fails')) throw new Error('injected failure');
    });
  });
  afterAll(() => app?.close());

  it('shows what a kind needs, and refuses a filing without it, naming what is missing', async () => {
    const { appealRequirements } = await asMerchant().data(AppealRequirementsDocument, { kind: 'ABNORMAL_ORDER' });
    expect(appealRequirements).toEqual({
      kind: 'ABNORMAL_ORDER',
      required: POLICY.appeals.evidence.ABNORMAL_ORDER,
      policyVersion: 1,
    });
    const orderId = await place(merchant);
    const { fileAppeal } = await asMerchant().data(FileAppealDocument, {
      input: appealInput(orderId, { evidence: [EVIDENCE[0]] }),
    });
    expect(fileAppeal.userErrors).toEqual([
      {
        code: 'INVALID_INPUT',
        field: ['input', 'evidence'],
        message: 'a ABNORMAL_ORDER appeal needs LOGISTICS_RECORD',
      },
    ]);
    expect(await app.orm.em.fork().count(Appeal)).toBe(0);
  });

  it('goes through the whole state machine; upheld, the platform pays, rebates both fees and restores the score', async () => {
    const before = await experience();
    const orderId = await lateOrder();
    const deducted = await experience();
    expect(Number(deducted)).toBeLessThan(Number(before)); // the late shipment cost points

    const filed = await file(orderId);
    expect(filed).toMatchObject({ status: 'SUBMITTED', channel: 'STANDARD', subjectId: orderId });
    expect(Date.parse(filed.reviewDueAt) - Date.parse(filed.submittedAt)).toBe(POLICY.appealSla.standardHours * HOUR);
    const again = await asMerchant().data(FileAppealDocument, { input: appealInput(orderId) });
    expect(again.fileAppeal.userErrors[0]).toMatchObject({ code: 'ALREADY_OPEN', field: ['input', 'subjectId'] });

    const assigned = await arbitrator().data(AssignAppealDocument, { input: { appealId: filed.id } });
    expect(assigned.assignAppeal.appeal).toMatchObject({
      status: 'UNDER_REVIEW',
      assignee: 'ARBITRATOR:test-arbitrator',
    });
    const asked = await arbitrator().data(RequestAppealEvidenceDocument, {
      input: { appealId: filed.id, reason: '请补充物流公司证明' },
    });
    expect(asked.requestAppealEvidence.appeal?.status).toBe('NEEDS_EVIDENCE');
    // Rejected before the merchant's answer window ends: refused (issue 22, finding 11).
    const early = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: false, reason: '未补充', clause: 'appeals.answerHours' },
    });
    expect(early.decideAppeal.userErrors[0]).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      message: expect.stringContaining('appeals.answerHours'),
    });
    expect(Date.parse(asked.requestAppealEvidence.appeal!.evidenceDueAt!) - Date.now()).toBeGreaterThan(
      (POLICY.appeals.answerHours - 1) * HOUR,
    );
    const answered = await asMerchant().data(AnswerAppealDocument, {
      input: { appealId: filed.id, evidence: [{ kind: 'PHOTO', url: 'https://img.example/proof.jpg' }] },
    });
    expect(answered.answerAppeal.appeal?.status).toBe('UNDER_REVIEW');

    const byMerchant = await asMerchant().execute(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: true, reason: 'mine' },
    });
    expect(byMerchant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const overCap = await arbitrator().data(DecideAppealDocument, {
      input: {
        appealId: filed.id,
        upheld: true,
        reason: '属实',
        compensation: ((POLICY.appeals.compensationCap + 1) / 100).toFixed(2),
      },
    });
    expect(overCap.decideAppeal.userErrors[0]).toMatchObject({
      code: 'CAP_EXCEEDED',
      field: ['input', 'compensation'],
    });

    const upheld = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: true, reason: '物流原因属实', compensation: '50.00' },
    });
    expect(upheld.decideAppeal.userErrors).toEqual([]);
    const seen = (await asMerchant().data(AppealDocument, { id: filed.id })).appeal!;
    expect(seen.status).toBe('UPHELD');
    expect(seen.statusHistory.map((h) => h.toStatus)).toEqual([
      'SUBMITTED',
      'UNDER_REVIEW',
      'NEEDS_EVIDENCE',
      'UNDER_REVIEW',
      'UPHELD',
    ]);
    const fee = Math.min(Math.round((9_900 * 2 * POLICY.techServiceFee.rateBp) / 10_000), POLICY.techServiceFee.cap);
    expect(seen.postings.map((p) => [p.kind, p.amount.amount, p.appealId]).sort()).toEqual([
      ['APPEAL_COMPENSATION', '50.00', local(filed.id)],
      ['PROMOTION_FEE_REBATE', '9.90', local(filed.id)],
      ['TECH_SERVICE_FEE_REBATE', (fee / 100).toFixed(2), local(filed.id)],
    ]);
    // The late-shipment deduction is voided: the score is back where it was (the upheld appeal's own
    // event moves integrity only).
    expect(await experience()).toBe(before);
    const closed = await asMerchant().data(AnswerAppealDocument, {
      input: { appealId: filed.id, evidence: [{ kind: 'PHOTO', url: 'https://img.example/late.jpg' }] },
    });
    expect(closed.answerAppeal.userErrors[0].code).toBe('ILLEGAL_TRANSITION');
  });

  it('a rejection needs its reason and the policy clause; a merchant cannot appeal what is not its own', async () => {
    const orderId = await place(merchant);
    const filed = await file(orderId);
    await arbitrator().data(AssignAppealDocument, { input: { appealId: filed.id } });
    const bare = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: false, reason: '证据不足' },
    });
    expect(bare.decideAppeal.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'clause'] });
    const rejected = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: false, reason: '证据不足', clause: 'shipWithinHours' },
    });
    expect(rejected.decideAppeal.appeal).toMatchObject({
      status: 'REJECTED',
      decisionClause: 'shipWithinHours',
      policyVersion: 1, // the version whose clause it rests on (issue 22, finding 13)
      postings: [],
    });

    const other = await factories(app.orm).merchant();
    const intruder = await asMerchant(other).data(FileAppealDocument, { input: appealInput(orderId, {}, other) });
    expect(intruder.fileAppeal.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'subjectId'] });
    const asOther = await asMerchant(other).data(FileAppealDocument, { input: appealInput(orderId, {}, merchant) });
    expect(asOther.fileAppeal.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'merchantId'] });
    const withdrawn = await asMerchant(other).data(WithdrawAppealDocument, {
      input: { appealId: filed.id, reason: 'x' },
    });
    expect(withdrawn.withdrawAppeal.userErrors[0]).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('SLA timers: an overdue review is escalated exactly once with two workers; an unanswered evidence request expires the appeal', async () => {
    const overdue = await file(await place(merchant));
    const silent = await file(await place(merchant));
    await arbitrator().data(AssignAppealDocument, { input: { appealId: silent.id } });
    await arbitrator().data(RequestAppealEvidenceDocument, { input: { appealId: silent.id, reason: '请补充' } });
    // The clock is the caller's: 100 h on, past both the 72-hour review and the 48-hour answer deadlines.
    const later = new Date(Date.now() + 100 * HOUR);
    const worker = () =>
      appealsService.enforceDeadlines(platformContext(app.orm, MODULES, 'job:appeal-deadlines'), later);
    await Promise.all([worker(), worker()]);
    await worker();
    const escalated = (await app.data(AppealDocument, { id: overdue.id })).appeal!;
    expect(escalated).toMatchObject({ status: 'SUBMITTED', escalated: true, priority: 1 });
    expect(escalated.statusHistory.filter((h) => h.toStatus === 'SUBMITTED')).toHaveLength(2); // filed, escalated
    const expired = (await app.data(AppealDocument, { id: silent.id })).appeal!;
    expect(expired).toMatchObject({ status: 'REJECTED', decisionClause: 'appeals.answerHours' });
    expect(expired.statusHistory.map((h) => h.toStatus).filter((s) => s === 'REJECTED')).toHaveLength(1);
  });

  it('a force-majeure report excuses late shipments inside its region and window, and not outside', async () => {
    const make = factories(app.orm);
    const shop = await make.merchant({ region: 'ZHEJIANG' as never });
    await make.orders([
      {
        merchant: shop,
        buyer: await make.buyer(),
        product: await make.product(shop),
        count: POLICY.trust.newMerchantMinOrders,
      },
    ]);
    const report = (startsAt: string, endsAt: string) =>
      asMerchant(shop).data(ReportForceMajeureDocument, {
        input: { merchantId: gid.merchant(shop), region: 'ZHEJIANG', startsAt, endsAt, reason: '台风停运' },
      });
    // For the past, or backdated to cover what already went late: refused, naming the bound that fails.
    const past = await report(hoursAgo(200), hoursAgo(150));
    expect(past.reportForceMajeure.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'startsAt'],
    });
    const backdated = await report(hoursAgo(60), new Date(Date.now() + 12 * HOUR).toISOString());
    expect(backdated.reportForceMajeure.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'startsAt'],
      message: expect.stringContaining('filed ahead'),
    });
    // Filed ahead: a typhoon in the shop's province from now for three days, with its audit line.
    const reported = await report(new Date().toISOString(), new Date(Date.now() + 72 * HOUR).toISOString());
    expect(reported.reportForceMajeure.userErrors).toEqual([]);
    const audited = await app.orm.em
      .fork()
      .find(AuditEntry, { merchant: shop.id, action: 'FORCE_MAJEURE_REPORTED' as never });
    expect(audited.map((line) => line.cause)).toEqual([expect.stringContaining('force majeure in ZHEJIANG')]);
    // Sixty hours pass: the report and its window move back together, as if filed then.
    const owner = new pg.Client({ connectionString: app.databaseUrl });
    await owner.connect();
    await owner.query(
      `update force_majeure_report set created_at = created_at - interval '60 hours',
         starts_at = starts_at - interval '60 hours', ends_at = ends_at - interval '60 hours' where merchant_id = $1`,
      [shop.id],
    );
    await owner.end();
    const before = await experience(shop);
    // Paid 100 h ago: ship-by 52 h ago (inside the window), shipped 40 h ago (late).
    await place(shop, { paidAt: hoursAgo(100), status: 'SHIPPED', shippedAt: hoursAgo(40) }, []);
    expect(await experience(shop)).toBe(before);
    const events = await app.orm.em.fork().find(ScoreEvent, { merchant: shop.id, factor: 'SHIPPED_LATE' as never });
    expect(
      events.map((e) => [e.experienceDelta, e.reason.includes('excused: force-majeure report for ZHEJIANG: 台风停运')]),
    ).toEqual([[0, true]]);
    // Paid 200 h ago: ship-by 152 h ago, before the window: the deduction stands.
    await place(shop, { paidAt: hoursAgo(200), status: 'SHIPPED', shippedAt: hoursAgo(140) }, []);
    expect(Number(await experience(shop))).toBeLessThan(Number(before));
  });

  it('compensation is capped per order across all its appeals: a refile, another subject, a concurrent twin', async () => {
    const cap = POLICY.appeals.compensationCap;
    const yuan = (fen: number) => (fen / 100).toFixed(2);
    const uphold = async (appealId: string, compensation: string) => {
      await arbitrator().data(AssignAppealDocument, { input: { appealId } });
      return (
        await arbitrator().data(DecideAppealDocument, {
          input: { appealId, upheld: true, reason: '属实', compensation },
        })
      ).decideAppeal;
    };
    const compensationOn = async (orderId: string) =>
      (await app.orm.em.fork().find(LedgerTransaction, { kind: 'APPEAL_COMPENSATION' as never, order: local(orderId) }))
        .map((t) => t.amount)
        .reduce((a, b) => a + b, 0);
    const lateDeductionOf = async (orderId: string) => {
      const [event] = await app.orm.em
        .fork()
        .find(ScoreEvent, { order: local(orderId), factor: 'SHIPPED_LATE' as never });
      return toGlobalId('ScoreEvent', event.id);
    };

    const orderId = await lateOrder();
    expect((await uphold((await file(orderId)).id, yuan(cap))).userErrors).toEqual([]);
    // The same order appealed again, then through its score event: nothing more to pay.
    const refile = await file(orderId);
    const refiled = await uphold(refile.id, '0.01');
    expect(refiled.userErrors[0]).toMatchObject({
      code: 'CAP_EXCEEDED',
      field: ['input', 'compensation'],
      message: expect.stringContaining(`${yuan(cap)} yuan was already paid on this order, 0.00 yuan remains`),
    });
    const viaScore = await file(await lateDeductionOf(orderId), { subjectType: 'SCORE_EVENT' });
    expect((await uphold(viaScore.id, '0.01')).userErrors[0]?.code).toBe('CAP_EXCEEDED');
    expect(await compensationOn(orderId)).toBe(cap);
    // Upheld without compensation, the refile still rebates nothing twice and pays nothing.
    const plain = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: refile.id, upheld: true, reason: '属实' },
    });
    expect(plain.decideAppeal.userErrors).toEqual([]);
    expect(await compensationOn(orderId)).toBe(cap);

    // Two appeals of one order (the order, its score event) decided at the same moment, each for 60%.
    const twin = await lateOrder();
    const first = await file(twin);
    const second = await file(await lateDeductionOf(twin), { subjectType: 'SCORE_EVENT' });
    for (const appeal of [first, second])
      await arbitrator().data(AssignAppealDocument, { input: { appealId: appeal.id } });
    const share = yuan(Math.round(cap * 0.6));
    const raced = await Promise.all(
      [first, second].map((appeal) =>
        arbitrator().data(DecideAppealDocument, {
          input: { appealId: appeal.id, upheld: true, reason: '属实', compensation: share },
        }),
      ),
    );
    expect(raced.map((r) => r.decideAppeal.userErrors[0]?.code ?? 'OK').sort()).toEqual(['CAP_EXCEEDED', 'OK']);
    expect(await compensationOn(twin)).toBe(Math.round(cap * 0.6));
  });

  it('evidence after the answer deadline is refused, and nothing is written', async () => {
    const filed = await file(await place(merchant));
    await arbitrator().data(AssignAppealDocument, { input: { appealId: filed.id } });
    await arbitrator().data(RequestAppealEvidenceDocument, { input: { appealId: filed.id, reason: '请补充' } });
    const em = app.orm.em.fork();
    const appeal = await em.findOneOrFail(Appeal, { id: local(filed.id) });
    appeal.evidenceDueAt = new Date(Date.now() - 60_000);
    await em.flush();
    const late = await asMerchant().data(AnswerAppealDocument, {
      input: { appealId: filed.id, evidence: [{ kind: 'PHOTO', url: 'https://img.example/late.jpg' }] },
    });
    expect(late.answerAppeal.userErrors[0]).toMatchObject({ code: 'NOT_ELIGIBLE', field: ['input', 'appealId'] });
    const after = (await app.data(AppealDocument, { id: filed.id })).appeal!;
    expect(after.status).toBe('NEEDS_EVIDENCE');
    expect(after.evidence.map((e) => e.kind)).not.toContain('PHOTO');
  });

  it('an upheld decision moves money and score together or not at all', async () => {
    const orderId = await lateOrder();
    const deducted = await experience();
    const filed = await file(orderId);
    await arbitrator().data(AssignAppealDocument, { input: { appealId: filed.id } });
    const failed = await arbitrator().execute(DecideAppealDocument, {
      input: { appealId: filed.id, upheld: true, reason: 'the last step fails', compensation: '10.00' },
    });
    expect(failed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect((await app.data(AppealDocument, { id: filed.id })).appeal?.status).toBe('UNDER_REVIEW');
    expect(await app.orm.em.fork().count(LedgerTransaction, { appealId: local(filed.id) })).toBe(0);
    expect(await experience()).toBe(deducted);
  });

  it('green-channel appeals are due sooner and come first in the queue; the queue costs the same statements for 5 or 50', async () => {
    const strong = await factories(app.orm).merchant({ tier: MerchantTier.STRENGTH });
    const green = await file(await place(strong), {}, strong);
    expect(green.channel).toBe('GREEN');
    expect(Date.parse(green.reviewDueAt) - Date.parse(green.submittedAt)).toBe(
      POLICY.appealSla.greenChannelHours * HOUR,
    );
    for (let i = 0; i < 50; i++) await file(await place(merchant));
    const queue = await arbitrator().data(AppealQueueDocument, { first: 50 });
    expect(queue.appealQueue.edges[0].node.id).toBe(green.id);
    const dues = queue.appealQueue.edges.map((e) => Date.parse(e.node.reviewDueAt));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    const five = await app.as(actors.role(Role.ARBITRATOR)).statementsOf(AppealQueueDocument, { first: 5 });
    const fifty = await app.as(actors.role(Role.ARBITRATOR)).statementsOf(AppealQueueDocument, { first: 50 });
    expect(fifty).toHaveLength(five.length);
    expect(five.length).toBeLessThanOrEqual(4); // page + count, merchants, evidence
  });
});
