import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBus } from '../../../src/db/events';
import { platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { AfterSalesCase } from '../../../src/modules/after-sales/after-sales.entity';
import type { Merchant } from '../../../src/modules/merchants/merchant.entity';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import { afterSalesService } from '../../../src/modules/after-sales/after-sales.service';
import { LedgerTransaction } from '../../../src/modules/ledger/ledger.entity';
import { ScoreEvent } from '../../../src/modules/trust/trust.entity';
import { Role } from '../../../src/security/roles';
import { OrderStatus } from '../../../src/shared/enums';
import {
  AddCaseEvidenceDocument,
  AddCaseMessageDocument,
  AfterSalesCaseDocument,
  AllocateFundDocument,
  BreakersDocument,
  DecideRefundOnlyDocument,
  IngestOrdersDocument,
  MerchantCasesDocument,
  OpenAfterSalesCasesDocument,
  type OpenCaseInput,
  OrderDocument,
  RequestInterventionDocument,
  RuleOnCaseDocument,
  SimulatePolicyDocument,
  WithdrawCaseDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { orderPlacer } from '../../helpers/orders';
import { scenario } from '../../helpers/scenario';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

const HOUR = 3_600_000;
const { refundOnly } = POLICY;
const yuan = (fen: number) => (fen / 100).toFixed(2);
const local = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1];

describe('after-sales cases under the refund-only rules', () => {
  let app: TestApp;
  let merchant: Merchant;
  const place = orderPlacer(() => app);
  const ingest = () => app.as(actors.role(Role.INGEST));
  const arbitrator = () => app.as(actors.role(Role.ARBITRATOR));
  const asMerchant = (m: { id: string } = merchant) => app.as(actors.merchant(m));
  let sequence = 0;
  const caseInput = (orderId: string, values: Partial<OpenCaseInput> = {}): OpenCaseInput => ({
    platform: 'PINDUODUO',
    externalNumber: `CASE-${++sequence}`,
    orderId,
    type: 'REFUND_ONLY',
    reason: 'QUALITY',
    requestedAmount: '150.00',
    evidence: [
      { kind: 'PHOTO', url: 'https://img.example/broken.jpg' },
      { kind: 'DESCRIPTION', text: '收到时外壳开裂' },
    ],
    ...values,
  });
  const open = async (orderId: string, values: Partial<OpenCaseInput> = {}) => {
    const { openAfterSalesCases } = await ingest().data(OpenAfterSalesCasesDocument, {
      input: [caseInput(orderId, values)],
    });
    const [result] = openAfterSalesCases.results;
    if (result.userErrors.length) throw new Error(JSON.stringify(result.userErrors));
    return result.afterSalesCase!.id;
  };
  const countCases = () => app.orm.em.fork().count(AfterSalesCase);
  /** A merchant's stored scores, as the trust module keeps them (experience in ten-thousandths). */
  const storeScores = (shop: { id: string }, experience: number, integrity: number) =>
    app.orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into merchant_score (merchant_id, experience, integrity, band, computed_at) values (?, ?, ?, 'TOP', now())
         on conflict (merchant_id) do update set experience = excluded.experience, integrity = excluded.integrity`,
        [shop.id, experience, integrity],
      );

  beforeAll(async () => {
    app = await createTestApp();
    merchant = await factories(app.orm).merchant();
    await app.as(actors.role(Role.FINANCE)).data(AllocateFundDocument, {
      input: { fund: 'SPECIAL_SUBSIDY', amount: '100000', reason: 'budget', idempotencyKey: 'after-sales-budget' },
    });
    // A test-only handler that fails the last step of a ruling on demand.
    eventBus.onBlocking('AfterSalesCaseRuled', { name: 'test.failingLastStep' }, async (tx, events) => {
      const failing = await tx.em.find(AfterSalesCase, { id: { $in: events.map((e) => e.caseId) } });
      if (failing.some((c) => c.rulingReason === 'the last step fails')) throw new Error('injected failure');
    });
  });
  afterAll(() => app?.close());

  it(`rule 2: a merchant at experience ${refundOnly.autonomyMinExperienceScore / 10} and integrity ${refundOnly.autonomyMinIntegrityScore / 100} decides a buyer's refund-only claim itself, with a ruling's record and effects`, async () => {
    const make = factories(app.orm);
    const buyer = await make.buyer();
    // A shop with enough orders in the window to have an experience score.
    const shopWithOrders = async () => {
      const shop = await make.merchant();
      const product = await make.product(shop);
      await make.orders([{ merchant: shop, buyer, product, count: 30, status: OrderStatus.COMPLETED }], 1);
      return shop;
    };
    // Its claim, then its scores as stored (set last: the claim's order moves rescore the shop).
    const claimWithScores = async (
      shop: Merchant,
      requestedAmount: string,
      experienceTenths: number,
      integrity: number,
    ) => {
      const caseId = await open(await place(shop, {}, ['SHIPPED', 'DELIVERED']), { requestedAmount });
      await storeScores(shop, experienceTenths * 1_000, integrity);
      return caseId;
    };
    const decide = (
      shop: Merchant,
      caseId: string,
      ruling: 'REFUND_FULL' | 'REFUND_PARTIAL' | 'REJECTED',
      refundAmount?: string,
    ) =>
      asMerchant(shop).data(DecideRefundOnlyDocument, {
        input: { caseId, ruling, refundAmount, reason: '同意部分退款' },
      });

    const top = await shopWithOrders();
    const caseId = await claimWithScores(
      top,
      '150.00',
      refundOnly.autonomyMinExperienceScore,
      refundOnly.autonomyMinIntegrityScore,
    );
    // Another shop, however high its scores, cannot decide it: to it the case does not exist.
    const other = await shopWithOrders();
    await storeScores(other, 50_000, 10_000);
    const foreign = await decide(other, caseId, 'REFUND_FULL');
    expect(foreign.decideRefundOnly.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
    // Rule 3 still holds on a merchant's own decision: no refund above the claim, a reason required.
    const tooMuch = await decide(top, caseId, 'REFUND_PARTIAL', '150.00');
    expect(tooMuch.decideRefundOnly.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'refundAmount'] }),
    ]);

    const decided = await decide(top, caseId, 'REFUND_PARTIAL', '60.00');
    expect(decided.decideRefundOnly.userErrors).toEqual([]);
    const seen = (await asMerchant(top).data(AfterSalesCaseDocument, { id: caseId })).afterSalesCase!;
    expect(seen).toMatchObject({ status: 'RULED', ruling: 'REFUND_PARTIAL', refundAmount: { amount: '60.00' } });
    expect(seen.decision).toMatchObject({
      outcome: 'MERCHANT_DECIDES',
      rulesApplied: expect.arrayContaining([
        expect.objectContaining({
          rule: 'MERCHANT_AUTONOMY',
          clause: 'refundOnly.autonomyMinExperienceScore, refundOnly.autonomyMinIntegrityScore',
          policyVersion: 1,
          compared: expect.stringContaining('4.8 ≥ 4.8 and integrity 90.00 ≥ 90.00'),
        }),
      ]),
    });
    expect(seen.statusHistory.map((h) => [h.toStatus, h.actor])).toEqual([
      ['OPENED', 'INGEST:test-ingest'],
      ['RULED', expect.stringMatching(/^MERCHANT:/)],
    ]);
    // Decided once: the same claim cannot be decided again.
    const again = await decide(top, caseId, 'REFUND_FULL');
    expect(again.decideRefundOnly.userErrors).toEqual([expect.objectContaining({ code: 'ILLEGAL_TRANSITION' })]);

    // One step below either threshold, a 150.00 claim is above every graded amount: the platform
    // reviews it, the merchant is refused with what applies, and the case is left as it was.
    for (const [experience, integrity] of [
      [refundOnly.autonomyMinExperienceScore - 1, 10_000],
      [refundOnly.autonomyMinExperienceScore, refundOnly.autonomyMinIntegrityScore - 1],
    ]) {
      const shop = await shopWithOrders();
      const theirs = await claimWithScores(shop, '150.00', experience, integrity);
      const refused = await decide(shop, theirs, 'REFUND_FULL');
      expect(refused.decideRefundOnly.userErrors).toEqual([
        expect.objectContaining({ code: 'NOT_ELIGIBLE', message: expect.stringContaining('PLATFORM_REVIEWS') }),
      ]);
      const unchanged = (await asMerchant(shop).data(AfterSalesCaseDocument, { id: theirs })).afterSalesCase!;
      expect(unchanged).toMatchObject({ status: 'OPENED', decision: null, refundAmount: null });
    }
  });

  it(`rule 2, graded: a HIGH-band merchant decides claims up to ${yuan(refundOnly.bandAutonomy.high)} yuan itself, not one fen more`, async () => {
    const make = factories(app.orm);
    const buyer = await make.buyer();
    const shop = await make.merchant();
    const product = await make.product(shop);
    await make.orders([{ merchant: shop, buyer, product, count: 30, status: OrderStatus.COMPLETED }], 1);
    const decide = async (amount: number) => {
      const caseId = await open(await place(shop, {}, ['SHIPPED', 'DELIVERED']), { requestedAmount: yuan(amount) });
      await storeScores(shop, 46_000, 10_000); // 4.6: band HIGH
      return (
        await asMerchant(shop).data(DecideRefundOnlyDocument, {
          input: { caseId, ruling: 'REFUND_FULL', reason: '同意退款' },
        })
      ).decideRefundOnly;
    };
    const within = await decide(refundOnly.bandAutonomy.high);
    expect(within.userErrors).toEqual([]);
    expect(within.afterSalesCase).toMatchObject({
      status: 'RULED',
      refundAmount: { amount: yuan(refundOnly.bandAutonomy.high) },
    });
    const above = await decide(refundOnly.bandAutonomy.high + 1);
    expect(above.userErrors).toEqual([expect.objectContaining({ code: 'NOT_ELIGIBLE' })]);
  });

  it('goes from opening to ruling; the merchant sees the decision, its rationale, the money and the score effect', async () => {
    const orderId = await place(merchant, { promoted: true, promotionFee: '9.90' }, ['SHIPPED', 'DELIVERED']);
    const caseId = await open(orderId, { requestedAmount: '198.00' });

    const talk = await asMerchant().data(AddCaseMessageDocument, { input: { caseId, body: '请提供开箱视频' } });
    expect(talk.addCaseMessage.afterSalesCase).toMatchObject({
      status: 'NEGOTIATING',
      messages: [{ author: 'MERCHANT', body: '请提供开箱视频' }],
    });

    // Staff ask for the buyer: 198 yuan is above the HIGH band's own 100 and within the platform's 200.
    const asked = await app.data(RequestInterventionDocument, { input: { caseId } });
    expect(asked.requestIntervention.userErrors).toEqual([]);
    const seen = (await asMerchant().data(AfterSalesCaseDocument, { id: caseId })).afterSalesCase!;
    expect(seen.status).toBe('UNDER_REVIEW');
    expect(seen.decision).toMatchObject({
      outcome: 'PLATFORM_REVIEWS',
      refundOnlySupported: true,
      fullRefundAllowed: true,
      missingEvidence: [],
      rulesApplied: [
        {
          rule: 'KEY_EVIDENCE',
          clause: 'refundOnly.keyEvidence.QUALITY',
          policyVersion: 1,
          compared: 'needs PHOTO, DESCRIPTION; all supplied and shared with the merchant',
        },
      ],
    });
    expect(seen.evidence.map((e) => [e.kind, e.suppliedBy]).sort()).toEqual([
      ['DESCRIPTION', 'BUYER'],
      ['PHOTO', 'BUYER'],
    ]);

    const byRisk = await app.as(actors.role(Role.RISK)).execute(RuleOnCaseDocument, {
      input: { caseId, ruling: 'REFUND_FULL', reason: 'x' },
    });
    expect(byRisk.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    await scenario(app, { caseId }).ruled();
    const after = (await asMerchant().data(AfterSalesCaseDocument, { id: caseId })).afterSalesCase!;
    expect(after).toMatchObject({ status: 'RULED', ruling: 'REFUND_FULL', refundAmount: { amount: '198.00' } });
    expect(after.statusHistory.map((h) => h.toStatus)).toEqual([
      'OPENED',
      'NEGOTIATING',
      'INTERVENTION_REQUESTED',
      'UNDER_REVIEW',
      'RULED',
    ]);
    // Fully refunded: the order is REFUNDED, and its promotion fee comes back, citing the case.
    expect((await app.data(OrderDocument, { id: orderId })).order?.status).toBe('REFUNDED');
    // The merchant was at fault: the buyer gets the policy's no-threshold coupon from the platform.
    expect(after.postings.map((p) => [p.kind, p.amount.amount, p.caseId]).sort()).toEqual([
      ['BUYER_EXPERIENCE_COUPON', yuan(POLICY.buyerExperienceCoupon), local(caseId)],
      ['PROMOTION_FEE_REBATE', '9.90', local(caseId)],
    ]);
    // The merchant sees its own score effect; the buyer's record (the refund-only request) is staff's.
    expect(after.scoreEvents.map((e) => e.factor)).toEqual(['AFTER_SALES_MERCHANT_AT_FAULT']);
    const forStaff = (await app.data(AfterSalesCaseDocument, { id: caseId })).afterSalesCase!;
    expect(forStaff.scoreEvents.map((e) => e.factor)).toEqual([
      'REFUND_ONLY_REQUESTED',
      'AFTER_SALES_MERCHANT_AT_FAULT',
    ]);
  });

  it('refuses bad openings with the field named, and writes nothing for them', async () => {
    const orderId = await place(merchant, {}, ['SHIPPED']);
    const otherOrder = await place(merchant);
    const before = await countCases();
    const { openAfterSalesCases } = await ingest().data(OpenAfterSalesCasesDocument, {
      input: [
        caseInput(orderId, { requestedAmount: '198.01' }),
        caseInput(gid.order({ id: '00000000-0000-4000-8000-000000000000' })),
        caseInput(orderId, { productId: gid.product({ id: '00000000-0000-4000-8000-000000000001' }) }),
        caseInput(orderId, { afterReceipt: true }),
        caseInput(orderId, { requestedAmount: '0' }),
        caseInput('not-an-id'),
      ],
    });
    expect(openAfterSalesCases.rejectedCount).toBe(6);
    expect(openAfterSalesCases.results.map((r) => [r.userErrors[0].code, r.userErrors[0].field?.slice(2)])).toEqual([
      ['CAP_EXCEEDED', ['requestedAmount']],
      ['NOT_FOUND', ['orderId']],
      ['INVALID_INPUT', ['productId']],
      ['INVALID_INPUT', ['afterReceipt']],
      ['INVALID_INPUT', ['requestedAmount']],
      ['INVALID_ID', ['orderId']],
    ]);
    expect(await countCases()).toBe(before);

    // One open case of a type per order, also within one batch; a re-send is a duplicate, other content a conflict.
    const first = caseInput(orderId, { requestedAmount: '50.00' });
    const again = await ingest().data(OpenAfterSalesCasesDocument, {
      input: [first, caseInput(orderId, { requestedAmount: '10.00' }), first, { ...first, requestedAmount: '51.00' }],
    });
    expect(again.openAfterSalesCases.results.map((r) => [r.outcome, r.userErrors[0]?.code ?? null])).toEqual([
      ['CREATED', null],
      ['REJECTED', 'ALREADY_OPEN'],
      ['DUPLICATE', null],
      ['REJECTED', 'DUPLICATE_CONFLICT'],
    ]);
    // A return on the same order may be opened, for at most what is left: 198 − 50 reserved.
    const returned = await ingest().data(OpenAfterSalesCasesDocument, {
      input: [caseInput(orderId, { type: 'RETURN_REFUND', requestedAmount: '148.01' })],
    });
    expect(returned.openAfterSalesCases.results[0].userErrors[0]).toMatchObject({
      code: 'CAP_EXCEEDED',
      message: 'at most 148.00 yuan is still refundable on the order',
    });
    const empty = await ingest().data(OpenAfterSalesCasesDocument, { input: [] });
    expect(empty.openAfterSalesCases.userErrors[0].code).toBe('BATCH_EMPTY');
    const tooMany = await ingest().data(OpenAfterSalesCasesDocument, {
      input: Array.from({ length: 1_001 }, () => caseInput(otherOrder)),
    });
    expect(tooMany.openAfterSalesCases.userErrors[0].code).toBe('BATCH_TOO_LARGE');
  });

  it('two claims of different types racing on one order never reserve more than was paid', async () => {
    for (let round = 0; round < 5; round++) {
      const orderId = await place(merchant, {}, ['SHIPPED', 'DELIVERED']);
      const [refund, ret] = await Promise.all(
        (['REFUND_ONLY', 'RETURN_REFUND'] as const).map((type) =>
          ingest().data(OpenAfterSalesCasesDocument, {
            input: [caseInput(orderId, { type, requestedAmount: '150.00' })],
          }),
        ),
      );
      const outcomes = [refund, ret].map((r) => r.openAfterSalesCases.results[0].outcome).sort();
      expect(outcomes).toEqual(['CREATED', 'REJECTED']);
    }
  });

  it('two cases of one order ruled at once still refund the order in full and rebate its promotion fee', async () => {
    for (let round = 0; round < 3; round++) {
      const { orderId } = await scenario(app).merchant(merchant).order({ promoted: true });
      const onOrder = scenario(app, { merchant, orderId });
      const cases = [
        await onOrder.case('REFUND_ONLY', { requestedAmount: '118.00' }).underReview(),
        await onOrder.case('RETURN_REFUND', { requestedAmount: '80.00' }).underReview(),
      ];
      // Both at once: each ruling must see the refund the other makes.
      await Promise.all(cases.map(({ caseId }) => scenario(app, { caseId }).ruled()));
      const order = (await app.data(OrderDocument, { id: orderId })).order!;
      expect(order.status).toBe('REFUNDED');
      const rebates = await app.orm.em
        .fork()
        .find(LedgerTransaction, { kind: 'PROMOTION_FEE_REBATE' as never, order: local(orderId) });
      expect(rebates.map((t) => t.amount)).toEqual([990]);
    }
  });

  it('refuses moves out of state, a merchant speaking as the buyer, and evidence on a ruled case', async () => {
    const orderId = await place(merchant, {}, ['SHIPPED', 'DELIVERED']);
    const caseId = await open(orderId);
    const early = await arbitrator().data(RuleOnCaseDocument, {
      input: { caseId, ruling: 'REJECTED', reason: 'x' },
    });
    expect(early.ruleOnCase.userErrors[0]).toMatchObject({ code: 'ILLEGAL_TRANSITION', field: ['input', 'caseId'] });
    const posing = await asMerchant().data(AddCaseEvidenceDocument, {
      input: { caseId, kind: 'PHOTO', url: 'https://img.example/fake.jpg', suppliedBy: 'BUYER' },
    });
    expect(posing.addCaseEvidence.userErrors[0]).toMatchObject({
      code: 'FORBIDDEN_PARTY',
      field: ['input', 'suppliedBy'],
    });
    await scenario(app, { caseId }).underReview().ruled({ ruling: 'REJECTED', reason: '证据不足' });
    const late = await app.data(AddCaseEvidenceDocument, {
      input: { caseId, kind: 'PHOTO', url: 'https://x.example/a.jpg' },
    });
    expect(late.addCaseEvidence.userErrors[0].code).toBe('ILLEGAL_TRANSITION');
    const withdrawn = await app.data(WithdrawCaseDocument, { input: { caseId, reason: 'x' } });
    expect(withdrawn.withdrawCase.userErrors[0].code).toBe('ILLEGAL_TRANSITION');
    // The rejection went on the buyer's record and cleared the merchant.
    const ruled = (await app.data(AfterSalesCaseDocument, { id: caseId })).afterSalesCase!;
    expect(ruled.scoreEvents.map((e) => e.factor).sort()).toEqual([
      'AFTER_SALES_NOT_AT_FAULT',
      'CLAIM_REJECTED',
      'REFUND_ONLY_REQUESTED',
    ]);
  });

  it(`rule 3: a minor defect waits ${refundOnly.interventionDelayHours} h for negotiation and never gets a full refund`, async () => {
    const fresh = await open(await place(merchant, {}, ['SHIPPED', 'DELIVERED']), { reason: 'MINOR_DEFECT' });
    const waiting = await app.data(RequestInterventionDocument, { input: { caseId: fresh } });
    expect(waiting.requestIntervention.afterSalesCase).toMatchObject({
      status: 'INTERVENTION_REQUESTED',
      decision: { outcome: 'WAITING_FOR_NEGOTIATION', fullRefundAllowed: false },
    });

    const openedAt = new Date(Date.now() - (refundOnly.interventionDelayHours * HOUR + 60_000)).toISOString();
    const old = await open(await place(merchant, {}, ['SHIPPED', 'DELIVERED']), { reason: 'MINOR_DEFECT', openedAt });
    const reviewed = await app.data(RequestInterventionDocument, { input: { caseId: old } });
    expect(reviewed.requestIntervention.afterSalesCase?.status).toBe('UNDER_REVIEW');
    const full = await arbitrator().data(RuleOnCaseDocument, {
      input: { caseId: old, ruling: 'REFUND_FULL', reason: 'x' },
    });
    expect(full.ruleOnCase.userErrors[0]).toMatchObject({ code: 'NOT_ELIGIBLE', field: ['input', 'ruling'] });
    // The way round, one fen short of the 150.00 claimed: refused; a partial refund is at most half.
    const almostFull = await arbitrator().data(RuleOnCaseDocument, {
      input: { caseId: old, ruling: 'REFUND_PARTIAL', refundAmount: '149.99', reason: 'x' },
    });
    expect(almostFull.ruleOnCase.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'refundAmount'],
      message: expect.stringContaining(`${refundOnly.minorDefectMaxRefundBp / 100}%`),
    });
    const partial = await arbitrator().data(RuleOnCaseDocument, {
      input: { caseId: old, ruling: 'REFUND_PARTIAL', refundAmount: '30.00', reason: '轻微划痕，部分退款' },
    });
    expect(partial.ruleOnCase.afterSalesCase).toMatchObject({ status: 'RULED', refundAmount: { amount: '30.00' } });
  });

  it(`rule 3: when the ${refundOnly.interventionDelayHours} h window ends, the platform steps in by the clock, once across two workers`, async () => {
    const waitingCase = await open(await place(merchant, {}, ['SHIPPED', 'DELIVERED']), { reason: 'MINOR_DEFECT' });
    await app.data(RequestInterventionDocument, { input: { caseId: waitingCase } });
    const worker = (now: Date) =>
      afterSalesService.interveneWhereDelayEnded(platformContext(app.orm, MODULES, 'job:intervene-after-delay'), now);
    // One minute before the window ends nothing moves; the clock is the caller's, not a backdated row.
    const early = await worker(new Date(Date.now() + refundOnly.interventionDelayHours * HOUR - 60_000));
    expect(early.decided).toBe(0);
    const later = new Date(Date.now() + refundOnly.interventionDelayHours * HOUR + 60_000);
    await Promise.all([worker(later), worker(later)]);
    await worker(later);
    const seen = (await app.data(AfterSalesCaseDocument, { id: waitingCase })).afterSalesCase!;
    expect(seen.status).toBe('UNDER_REVIEW');
    expect(seen.statusHistory.filter((h) => h.toStatus === 'UNDER_REVIEW')).toHaveLength(1);
    expect(seen.decision).toMatchObject({ outcome: 'PLATFORM_REVIEWS', fullRefundAllowed: false });
  });

  it(`rule 6: the merchant's breaker trips at ${refundOnly.circuitBreaker.merchantRateBp / 100}% of at least ${refundOnly.circuitBreaker.merchantMinSample} orders, not one case below`, async () => {
    const shop = await factories(app.orm).merchant();
    const make = factories(app.orm);
    const product = await make.product(shop);
    const sample = refundOnly.circuitBreaker.merchantMinSample;
    const items = await Promise.all(
      Array.from({ length: sample }, async () => orderInput({ merchant: shop, buyer: await make.buyer(), product })),
    );
    const { ingestOrders } = await ingest().data(IngestOrdersDocument, { input: items });
    const orderIds = ingestOrders.results.map((r) => r.order!.id);
    const atThreshold = (sample * refundOnly.circuitBreaker.merchantRateBp) / 10_000; // 5 of 50
    const buyerId = gid.buyer({ id: local(items[0].buyerId) });
    const breakers = () =>
      app.data(BreakersDocument, {
        merchantId: gid.merchant(shop),
        productId: gid.product(product),
        buyerId,
      });

    const cases: string[] = [];
    for (const orderId of orderIds.slice(0, atThreshold - 1))
      cases.push(await open(orderId, { requestedAmount: '150.00' }));
    expect((await breakers()).merchant?.refundOnlyBreaker).toMatchObject({
      refundOnly: atThreshold - 1,
      sample,
      tripped: false,
    });
    cases.push(await open(orderIds[atThreshold - 1], { requestedAmount: '150.00' }));
    const tripped = await breakers();
    expect(tripped.merchant?.refundOnlyBreaker).toMatchObject({
      refundOnly: atThreshold,
      sample,
      rateBp: refundOnly.circuitBreaker.merchantRateBp,
      thresholdBp: refundOnly.circuitBreaker.merchantRateBp,
      tripped: true,
    });
    // 5 of 50 on the product is 10%, under its 15%; the buyer has 1 order, under its sample of 5.
    expect(tripped.product?.refundOnlyBreaker).toMatchObject({ refundOnly: atThreshold, sample, tripped: false });
    expect(tripped.buyer?.refundOnlyBreaker).toMatchObject({ refundOnly: 1, sample: 1, tripped: false });

    const stopped = await app.data(RequestInterventionDocument, { input: { caseId: cases.at(-1)! } });
    expect(stopped.requestIntervention.afterSalesCase?.decision).toMatchObject({
      outcome: 'REFUND_ONLY_SUSPENDED',
      refundOnlySupported: false,
      rulesApplied: expect.arrayContaining([
        expect.objectContaining({ rule: 'CIRCUIT_BREAKER', clause: 'refundOnly.circuitBreaker.merchantRateBp' }),
      ]),
    });
    // The merchant may still ask; the platform then reviews, and may only reject the refund-only claim.
    await asMerchant(shop).data(RequestInterventionDocument, { input: { caseId: cases.at(-1)! } });
    const refund = await arbitrator().data(RuleOnCaseDocument, {
      input: { caseId: cases.at(-1)!, ruling: 'REFUND_PARTIAL', refundAmount: '10.00', reason: 'x' },
    });
    expect(refund.ruleOnCase.userErrors[0].code).toBe('NOT_ELIGIBLE');
  });

  it(`rule 7: 50 concurrent rulings for a high-repurchase merchant never draw more than its ${yuan(POLICY.highRepurchase.refundOnlySubsidyMonthlyCap)} yuan a month`, async () => {
    const make = factories(app.orm);
    const loyal = await make.merchant();
    const product = await make.product(loyal);
    const buyers = await Promise.all(Array.from({ length: POLICY.highRepurchase.minBuyers }, () => make.buyer()));
    const deliveredAt = new Date(Date.now() - 2 * HOUR);
    // Every buyer bought three times: a high-repurchase shop; 50 of the orders are claimed.
    const orders = await make.orders(
      buyers.map((buyer) => ({
        merchant: loyal,
        buyer,
        product,
        count: 3,
        status: OrderStatus.DELIVERED,
        values: { shippedAt: new Date(Date.now() - 20 * HOUR), deliveredAt },
      })),
    );
    const claimed = orders.slice(0, 50);
    const { openAfterSalesCases } = await ingest().data(OpenAfterSalesCasesDocument, {
      input: claimed.map((order) => caseInput(gid.order(order), { requestedAmount: '20.00' })),
    });
    const caseIds = openAfterSalesCases.results.map((r) => r.afterSalesCase!.id);
    expect(caseIds).toHaveLength(50);
    for (const caseId of caseIds) {
      const asked = await asMerchant(loyal).data(RequestInterventionDocument, { input: { caseId } });
      expect(asked.requestIntervention.afterSalesCase?.decision?.drawsRepurchaseSubsidy).toBe(true);
    }
    await Promise.all(
      caseIds.map((caseId) => scenario(app, { caseId }).ruled({ ruling: 'REFUND_FULL', reason: '质量问题' })),
    );
    const drawn = await app.orm.em
      .fork()
      .find(LedgerTransaction, { merchant: loyal.id, kind: 'REFUND_ONLY_SUBSIDY' as never });
    expect(drawn.reduce((sum, t) => sum + t.amount, 0)).toBe(POLICY.highRepurchase.refundOnlySubsidyMonthlyCap);
    expect(drawn.every((t) => t.caseId && caseIds.map(local).includes(t.caseId))).toBe(true);
  });

  it('money and score effects commit with the ruling or not at all', async () => {
    const { orderId, caseId } = await scenario(app).merchant(merchant).order({ promoted: true }).case().underReview();
    const failed = await arbitrator().execute(RuleOnCaseDocument, {
      input: { caseId, ruling: 'REFUND_FULL', reason: 'the last step fails' },
    });
    expect(failed.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const em = app.orm.em.fork();
    expect(await em.findOneOrFail(AfterSalesCase, { id: local(caseId) })).toMatchObject({
      status: 'UNDER_REVIEW',
      ruling: null,
    });
    expect((await app.data(OrderDocument, { id: orderId })).order?.status).toBe('DELIVERED');
    expect(await em.count(LedgerTransaction, { order: local(orderId) })).toBe(0);
    expect(
      await em.count(ScoreEvent, { caseId: local(caseId), factor: { $ne: 'REFUND_ONLY_REQUESTED' as never } }),
    ).toBe(0);
  });

  it("a merchant's cases with their orders, buyers, evidence and decisions: the same statements for 5 merchants as for 50", async () => {
    const make = factories(app.orm);
    for (let i = 0; i < 50; i++) {
      const shop = await make.merchant({ name: `售后商家${String(i).padStart(2, '0')}` });
      await open(await place(shop), { requestedAmount: '20.00' });
    }
    // 50 merchants × 50 cases is above the complexity limit: 5 × 50, 50 × 10 and 5 × 10 compare.
    const five = await app.statementsOf(MerchantCasesDocument, { first: 5, cases: 50 });
    const fifty = await app.statementsOf(MerchantCasesDocument, { first: 50, cases: 10 });
    const small = await app.statementsOf(MerchantCasesDocument, { first: 5, cases: 10 });
    const data = await app.data(MerchantCasesDocument, { first: 50, cases: 10 });
    expect(data.merchants.edges.filter((e) => e.node.afterSalesCases.edges.length > 0).length).toBeGreaterThan(40);
    // merchants, their cases (one lateral query), orders, evidence: one round trip each (the buyers
    // are asked for their ids only, which the case rows hold)
    expect(five).toHaveLength(4);
    expect(fifty).toHaveLength(five.length);
    expect(small).toHaveLength(five.length);
  });

  it('simulatePolicy replays the period under a draft: decisions that change, the subsidy cost under both, nothing written', async () => {
    const em = app.orm.em.fork();
    const fingerprint = async () =>
      JSON.stringify(
        await em.getConnection().execute(
          `select (select count(*) from after_sales_case) cases, (select max(updated_at) from after_sales_case) touched,
                    (select count(*) from policy_version) versions, (select count(*) from ledger_transaction) postings`,
        ),
      );
    const before = await fingerprint();
    const period = {
      from: new Date(Date.now() - 7 * 24 * HOUR).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    };
    const admin = app.as(actors.role(Role.POLICY_ADMIN));
    const lowerCap = await admin.data(SimulatePolicyDocument, {
      ...period,
      changes: { refundOnly: { platformInterventionCap: 10_000 } },
    });
    const simulation = lowerCap.simulatePolicy.simulation!;
    expect(simulation.policyVersion).toBe(2);
    expect(simulation.decisionsChanged).toBeGreaterThan(0);
    expect(simulation.changed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          current: expect.objectContaining({ outcome: 'PLATFORM_REVIEWS' }),
          draft: expect.objectContaining({
            outcome: 'ABOVE_PLATFORM_CAP',
            rulesApplied: expect.arrayContaining([
              {
                rule: 'PLATFORM_INTERVENTION_CAP',
                clause: 'refundOnly.platformInterventionCap',
                compared: '198.00 yuan > 100.00 yuan: above what the platform intervenes on by itself',
              },
            ]),
          }),
        }),
      ]),
    );
    // The 50 rulings of the high-repurchase shop: 1,000 yuan refunded, 500 a month paid; 200 under the draft.
    const smallerSubsidy = await admin.data(SimulatePolicyDocument, {
      ...period,
      changes: { highRepurchase: { refundOnlySubsidyMonthlyCap: 20_000 } },
    });
    expect(smallerSubsidy.simulatePolicy.simulation).toMatchObject({
      decisionsChanged: 0,
      subsidyCostCurrent: { amount: yuan(POLICY.highRepurchase.refundOnlySubsidyMonthlyCap) },
      subsidyCostDraft: { amount: '200.00' },
    });
    const invalid = await admin.data(SimulatePolicyDocument, {
      ...period,
      changes: { refundOnly: { platformInterventionCap: -1 } },
    });
    expect(invalid.simulatePolicy.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'changes', 'refundOnly', 'platformInterventionCap'],
    });
    const byMerchant = await asMerchant().execute(SimulatePolicyDocument, { ...period, changes: {} });
    expect(byMerchant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await fingerprint()).toBe(before);
  });
});
