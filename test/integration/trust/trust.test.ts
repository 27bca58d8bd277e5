import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScoreEvent } from '../../../src/modules/trust/trust.entity';
import { Role } from '../../../src/security/roles';
import {
  AdjustMerchantScoreDocument,
  BuyerRiskDocument,
  IngestOrdersDocument,
  MerchantTrustDocument,
  OrdersWithBuyerRiskDocument,
  ProductScoreDocument,
  RecomputeScoresDocument,
  RecordScoreEventsDocument,
  type ScoreEventInput,
  SimulateMerchantScoreDocument,
  TransitionOrderDocument,
  VoidScoreEventDocument,
} from '../../generated/graphql';
import { factories, gid, orderInput } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

describe('trust scores', () => {
  let app: TestApp;
  const ingest = () => app.as(actors.role(Role.INGEST));
  const risk = () => app.as(actors.role(Role.RISK));
  const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
  const record = (input: ScoreEventInput[]) => ingest().data(RecordScoreEventsDocument, { input });
  const trustOf = async (merchant: { id: string }) =>
    (await app.as(actors.merchant(merchant)).data(MerchantTrustDocument, { id: gid.merchant(merchant), first: 20 }))
      .merchant!.trust;

  /** A merchant with 30 orders in the window: enough for a score (with fewer it is NEW). */
  const established = async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    await make.orders([{ merchant, buyer: await make.buyer(), product: await make.product(merchant), count: 30 }]);
    return merchant;
  };

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('a merchant with fewer than 30 orders in the window is NEW: no score yet, and no made-up 4.5', async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    await make.orders([{ merchant, buyer: await make.buyer(), product: await make.product(merchant), count: 29 }]);
    expect(await trustOf(merchant)).toMatchObject({ experienceScore: null, experienceScoreExact: null, band: 'NEW' });
    await make.orders([{ merchant, buyer: await make.buyer(), product: await make.product(merchant), count: 1 }]);
    expect(await trustOf(merchant)).toMatchObject({ experienceScore: '4.5', band: 'HIGH' });
  });

  it("a late shipment lowers the experience score by the policy's weight and shows in history with its source", async () => {
    const make = factories(app.orm);
    const merchant = await established();
    const product = await make.product(merchant);
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput({ merchant, product, buyer: await make.buyer() })],
    });
    const orderId = ingestOrders.results[0].order!.id;
    expect((await trustOf(merchant)).experienceScoreExact).toBe('4.5000'); // the baseline, before any event

    const { recordScoreEvents } = await record([
      {
        factor: 'SHIPPED_LATE',
        merchantId: gid.merchant(merchant),
        productId: gid.product(product),
        orderId,
        occurredAt: hourAgo(),
      },
    ]);
    expect(recordScoreEvents.userErrors).toEqual([]);
    const trust = await trustOf(merchant);
    expect(trust).toMatchObject({
      experienceScore: '4.4',
      experienceScoreExact: '4.4000',
      integrityScore: '99.00',
      band: 'HIGH',
    });
    expect(trust.factors).toEqual([
      { name: 'SHIPPED_LATE', value: 1, weight: '-0.1000', contribution: '-0.1000', integrityContribution: '-1.00' },
    ]);
    expect(trust.history.edges[0].node).toMatchObject({
      factor: 'SHIPPED_LATE',
      experienceDelta: '-0.1000',
      policyVersion: 1,
      order: { id: orderId },
      actor: 'INGEST:test-ingest',
    });
    expect((await app.data(ProductScoreDocument, { id: gid.product(product) })).product?.experienceScore).toBe('79.50');
  });

  it('shipping an order records SHIPPED_ON_TIME or SHIPPED_LATE against its 48-hour ship-by time', async () => {
    const make = factories(app.orm);
    const merchant = await established();
    const refs = { merchant, product: await make.product(merchant), buyer: await make.buyer() };
    const paidAt = new Date(Date.now() - 72 * 3_600_000);
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput(refs, { paidAt: paidAt.toISOString() }), orderInput(refs, { paidAt: paidAt.toISOString() })],
    });
    const [onTime, late] = ingestOrders.results.map((r) => r.order!.id);
    await app.data(TransitionOrderDocument, {
      input: {
        orderId: onTime,
        to: 'SHIPPED',
        reason: '发货',
        at: new Date(paidAt.getTime() + 47 * 3_600_000).toISOString(),
      },
    });
    await app.data(TransitionOrderDocument, {
      input: {
        orderId: late,
        to: 'SHIPPED',
        reason: '发货',
        at: new Date(paidAt.getTime() + 49 * 3_600_000).toISOString(),
      },
    });
    const trust = await trustOf(merchant);
    expect(trust.history.edges.map((e) => [e.node.factor, e.node.order?.id])).toEqual([
      ['SHIPPED_LATE', late],
      ['SHIPPED_ON_TIME', onTime],
    ]);
    expect(trust.experienceScoreExact).toBe('4.4050'); // 4.5 + 0.005 - 0.1
  });

  it('crossing 4.8 as shown moves the merchant into the TOP band; voiding the event that did it moves it back', async () => {
    const merchant = await established();
    const merchantId = gid.merchant(merchant);
    await record(
      Array.from({ length: 12 }, () => ({ factor: 'REPEAT_PURCHASE' as const, merchantId, occurredAt: hourAgo() })),
    );
    expect(await trustOf(merchant)).toMatchObject({
      experienceScore: '4.7',
      experienceScoreExact: '4.7400',
      band: 'HIGH',
    });
    const { recordScoreEvents } = await record([{ factor: 'REPLY_RATE_MET', merchantId, occurredAt: hourAgo() }]);
    // 4.75 is shown as 4.8 (one decimal, half up), and the band is judged on what is shown: TOP.
    expect(await trustOf(merchant)).toMatchObject({
      experienceScore: '4.8',
      experienceScoreExact: '4.7500',
      band: 'TOP',
    });
    const eventId = recordScoreEvents.events![0].id;
    const voided = await risk().data(VoidScoreEventDocument, { input: { eventId, reason: '数据错误' } });
    expect(voided.voidScoreEvent.event).toMatchObject({
      factor: 'REPLY_RATE_MET',
      experienceDelta: '-0.0100',
      voids: { id: eventId },
    });
    expect(await trustOf(merchant)).toMatchObject({
      experienceScore: '4.7',
      experienceScoreExact: '4.7400',
      band: 'HIGH',
    });
    const trust = await trustOf(merchant);
    expect(trust.factors.find((f) => f.name === 'REPLY_RATE_MET')).toBeUndefined();
    const again = await risk().data(VoidScoreEventDocument, { input: { eventId, reason: 'twice' } });
    expect(again.voidScoreEvent.userErrors[0].code).toBe('ALREADY_REVERSED');
  });

  it('voiding restores the prior score exactly', async () => {
    const merchant = await established();
    const before = (await trustOf(merchant)).experienceScoreExact;
    const { recordScoreEvents } = await record([
      { factor: 'COMPLAINT', merchantId: gid.merchant(merchant), occurredAt: hourAgo(), reason: '恶意投诉' },
    ]);
    expect((await trustOf(merchant)).experienceScoreExact).toBe('4.4200');
    await risk().data(VoidScoreEventDocument, {
      input: { eventId: recordScoreEvents.events![0].id, reason: '申诉成立' },
    });
    expect(await trustOf(merchant)).toMatchObject({ experienceScoreExact: before, integrityScore: '100.00' });
  });

  it('manual adjustments are bounded by the policy and carry their reason', async () => {
    const merchant = await established();
    const merchantId = gid.merchant(merchant);
    const ok = await risk().data(AdjustMerchantScoreDocument, {
      input: { merchantId, experienceDelta: '0.25', integrityDelta: '-5', reason: '复核后调整' },
    });
    expect(ok.adjustMerchantScore.event).toMatchObject({
      factor: 'MANUAL_ADJUSTMENT',
      experienceDelta: '0.2500',
      integrityDelta: '-5.00',
      reason: '复核后调整',
    });
    expect(await trustOf(merchant)).toMatchObject({ experienceScoreExact: '4.7500', integrityScore: '95.00' });
    for (const [field, input] of [
      ['experienceDelta', { experienceDelta: '0.6' }],
      ['experienceDelta', { experienceDelta: '0.00001' }],
      ['integrityDelta', { integrityDelta: '-21' }],
    ] as const) {
      const refused = await risk().data(AdjustMerchantScoreDocument, { input: { merchantId, reason: 'x', ...input } });
      expect(refused.adjustMerchantScore.userErrors[0].field).toEqual(['input', field]);
    }
    expect((await trustOf(merchant)).experienceScoreExact).toBe('4.7500');
    expect(
      (
        await ingest().execute(AdjustMerchantScoreDocument, {
          input: { merchantId, experienceDelta: '0.1', reason: 'x' },
        })
      ).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
  });

  it('refuses unknown subjects, future events, mismatched products and bad factors, writing nothing', async () => {
    const make = factories(app.orm);
    const merchant = await established();
    const foreign = await make.product(await make.merchant());
    const count = () => app.orm.em.fork().count(ScoreEvent);
    const before = await count();
    const { recordScoreEvents } = await record([
      { factor: 'SHIPPED_ON_TIME', merchantId: gid.merchant(merchant), occurredAt: hourAgo() },
      {
        factor: 'COMPLAINT',
        merchantId: gid.merchant({ id: '00000000-0000-4000-8000-000000000000' }),
        occurredAt: hourAgo(),
      },
      {
        factor: 'COMPLAINT',
        merchantId: gid.merchant(merchant),
        occurredAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
      {
        factor: 'COMPLAINT',
        merchantId: gid.merchant(merchant),
        productId: gid.product(foreign),
        occurredAt: hourAgo(),
      },
      { factor: 'REFUND_ONLY_REQUESTED', merchantId: gid.merchant(merchant), occurredAt: hourAgo() },
    ]);
    expect(recordScoreEvents.userErrors.map((e) => [e.code, e.field?.join('.')])).toEqual([
      ['NOT_FOUND', 'input.1.merchantId'],
      ['INVALID_INPUT', 'input.2.occurredAt'],
      ['INVALID_INPUT', 'input.3.productId'],
      ['INVALID_INPUT', 'input.4.buyerId'],
    ]);
    expect(await count()).toBe(before);
    const unknownFactor = await ingest().execute(RecordScoreEventsDocument, {
      input: [{ factor: 'BRIBERY' as never, merchantId: gid.merchant(merchant), occurredAt: hourAgo() }],
    });
    expect(unknownFactor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const { recordScoreEvents: badIds } = await record([
      { factor: 'COMPLAINT', merchantId: gid.merchant(merchant), caseId: 'case-42', occurredAt: hourAgo() },
      {
        factor: 'COMPLAINT',
        merchantId: 'not-an-id',
        appealId: '00000000-0000-4000-8000-000000000001',
        occurredAt: hourAgo(),
      },
    ]);
    expect(badIds.userErrors.map((e) => [e.code, e.field?.join('.')])).toEqual([
      ['INVALID_ID', 'input.0.caseId'],
      ['INVALID_ID', 'input.1.merchantId'],
    ]);
    expect(await count()).toBe(before);
  });

  it('simulation predicts the score of hypothetical events and writes nothing', async () => {
    const merchant = await established();
    const merchantId = gid.merchant(merchant);
    const count = () => app.orm.em.fork().count(ScoreEvent);
    const before = await count();
    const { simulateMerchantScore } = await app.as(actors.merchant(merchant)).data(SimulateMerchantScoreDocument, {
      merchantId,
      events: [{ factor: 'REPEAT_PURCHASE', count: 15 }, { factor: 'SHIPPED_LATE' }],
    });
    expect(simulateMerchantScore.simulation).toMatchObject({
      policyVersion: 1,
      current: { experienceScoreExact: '4.5000', band: 'HIGH' },
      simulated: { experienceScoreExact: '4.7000', band: 'HIGH' },
    });
    expect(await count()).toBe(before);
    expect((await trustOf(merchant)).experienceScoreExact).toBe('4.5000');
    await record([
      ...Array.from({ length: 15 }, () => ({ factor: 'REPEAT_PURCHASE' as const, merchantId, occurredAt: hourAgo() })),
      { factor: 'SHIPPED_LATE', merchantId, occurredAt: hourAgo() },
    ]);
    expect((await trustOf(merchant)).experienceScoreExact).toBe('4.7000');
    const other = await established();
    const denied = await app.as(actors.merchant(other)).data(SimulateMerchantScoreDocument, { merchantId, events: [] });
    expect(denied.simulateMerchantScore).toMatchObject({ simulation: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it('replaying every event gives exactly the stored scores', async () => {
    const first = await risk().data(RecomputeScoresDocument);
    expect(first.recomputeScores.merchants).toBeGreaterThanOrEqual(5);
    expect(first.recomputeScores.changed).toBe(0);
    // Drift in the stored value is found and repaired by the replay.
    await app.orm.em
      .getKnex()
      .raw(
        'update merchant_score set experience = experience + 1 where merchant_id = (select merchant_id from merchant_score limit 1)',
      );
    expect((await risk().data(RecomputeScoresDocument)).recomputeScores.changed).toBe(1);
    expect((await risk().data(RecomputeScoresDocument)).recomputeScores.changed).toBe(0);
  });

  it('buyer risk rises with the refund-only rate once the buyer has the minimum number of orders', async () => {
    const make = factories(app.orm);
    const merchant = await make.merchant();
    const product = await make.product(merchant);
    const buyer = await make.buyer();
    const buyerId = gid.buyer(buyer);
    await app.data(IngestOrdersDocument, {
      input: Array.from({ length: 4 }, () => orderInput({ merchant, product, buyer })),
    });
    await record(
      Array.from({ length: 3 }, () => ({ factor: 'REFUND_ONLY_REQUESTED' as const, buyerId, occurredAt: hourAgo() })),
    );
    const early = (await app.data(BuyerRiskDocument, { id: buyerId })).buyer!.risk;
    expect(early).toMatchObject({
      score: '0.00',
      level: 'LOW',
      reasons: ['3 refund-only requests, but fewer than 5 orders to judge a rate'],
    });

    await app.data(IngestOrdersDocument, { input: [orderInput({ merchant, product, buyer })] });
    await record([{ factor: 'CLAIM_REJECTED', buyerId, occurredAt: hourAgo() }]);
    // The buyer root field is staff-only; a merchant sees a buyer's risk through its own orders.
    const asMerchant = await app.as(actors.merchant(merchant)).execute(BuyerRiskDocument, { id: buyerId });
    expect(asMerchant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const seenByMerchant = await app.as(actors.merchant(merchant)).data(OrdersWithBuyerRiskDocument);
    expect(seenByMerchant.orders.edges.map((e) => e.node.buyer.risk.level)).toEqual(Array(5).fill('HIGH'));
    const staff = (await app.data(BuyerRiskDocument, { id: buyerId })).buyer!.risk;
    expect(staff).toMatchObject({ score: '75.00', level: 'HIGH' }); // 60% × 100 + one rejected claim (15)
    expect(staff.reasons[0]).toMatch(/3 of 5 orders \(60.0%\)/);
  });
});
