import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformContext } from '../../../src/server/context';
import { MODULES } from '../../../src/modules';
import { versionInForce } from '../../../src/modules/policies/policies.rules';
import { policiesService } from '../../../src/modules/policies/policies.service';
import { DEFAULT_POLICY_NUMBERS } from '../../../src/modules/policies/policy.defaults';
import { PolicyVersion } from '../../../src/modules/policies/policy.entity';
import { policyNumbersSchema } from '../../../src/modules/policies/policy.schema';
import { Role } from '../../../src/security/roles';
import {
  ActivePolicyDocument,
  AppealRequirementsDocument,
  IngestOrdersDocument,
  PoliciesDocument,
  PolicyByVersionDocument,
  PublishPolicyDocument,
} from '../../generated/graphql';
import { factories, orderInput } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

describe('policies', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app?.close());

  it('version 1 holds the DOMAIN.md defaults, exactly as the code documents them', async () => {
    const v1 = await app.orm.em.fork().findOneOrFail(PolicyVersion, { version: 1 });
    expect(policyNumbersSchema.parse(v1.numbers)).toEqual(DEFAULT_POLICY_NUMBERS);
  });

  it('activePolicy shows every number, money exact, for any signed-in actor', async () => {
    const merchant = await factories(app.orm).merchant();
    const { activePolicy } = await app.as(actors.merchant(merchant)).data(ActivePolicyDocument);
    expect(activePolicy.version).toBe(1);
    expect(activePolicy.numbers).toMatchObject({
      shipWithinHours: 48,
      reply: { withinMinutes: 3, minRateBp: 8000 },
      refundOnly: {
        autonomyMinExperienceScore: '4.8',
        interventionDelayHours: 48,
        platformInterventionCap: { amount: '200.00' },
        circuitBreaker: { windowDays: 30, buyerRateBp: 3000, merchantRateBp: 1000, productRateBp: 1500 },
      },
      highRepurchase: {
        refundOnlySubsidyMonthlyCap: { amount: '500.00' },
        lateShipmentMonthlyCap: { amount: '300.00' },
      },
      returnShipping: {
        standardCap: { amount: '25.00' },
        largeOrderCap: { amount: '50.00' },
        superBuyerCap: { amount: '200.00' },
        largeOrderTiers: ['STRENGTH', 'SUPER_FACTORY'],
      },
      disputeCompensation: { rateBp: 500, cap: { amount: '3000.00' } },
      transitLossCap: { amount: '50000.00' },
      techServiceFee: { rateBp: 60, cap: { amount: '18.00' } },
      priceErrorCompensation: { amount: '5.00' },
      smallMerchantCouponCap: { amount: '6000.00' },
      lowPriceWarning: { windowDays: 90, belowMedianBp: 5000 },
      topBandMinExperienceScore: '4.8',
      trust: {
        windowDays: 90,
        experienceBaseline: '4.5000',
        bands: { top: '4.8000' },
        buyerRisk: { minOrders: 5, highFrom: '70.00' },
      },
    });
    expect(activePolicy.numbers.trust.weights).toContainEqual({
      factor: 'SHIPPED_LATE',
      experience: '-0.1000',
      integrity: '-1.00',
    });
  });

  it('publishes a new version from the one in force plus changes; older versions stay as they were', async () => {
    const admin = app.as(actors.role(Role.POLICY_ADMIN));
    const { publishPolicy } = await admin.data(PublishPolicyDocument, {
      input: { changes: { techServiceFee: { cap: 2000 } }, note: '封顶调整为 20 元' },
    });
    expect(publishPolicy.userErrors).toEqual([]);
    expect(publishPolicy.policy).toMatchObject({
      version: 2,
      publishedBy: 'POLICY_ADMIN:test-policy_admin',
      numbers: { shipWithinHours: 48, techServiceFee: { rateBp: 60, cap: { amount: '20.00' } } },
    });
    expect((await admin.data(ActivePolicyDocument)).activePolicy.version).toBe(2);
    expect((await admin.data(PolicyByVersionDocument, { version: 1 })).policy?.numbers.shipWithinHours).toBe(48);
    const { policies } = await admin.data(PoliciesDocument);
    expect(policies.map((p) => [p.version, p.numbers.techServiceFee.cap.amount])).toEqual([
      [2, '20.00'],
      [1, '18.00'],
    ]);
    await expect(app.orm.em.getKnex().raw(`update policy_version set note = 'x' where version = 1`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('refuses invalid numbers, unknown keys and back-dating, naming the field, and publishes nothing', async () => {
    const admin = app.as(actors.role(Role.POLICY_ADMIN));
    const before = await app.orm.em.fork().count(PolicyVersion);
    const negative = await admin.data(PublishPolicyDocument, { input: { changes: { transitLossCap: -1 }, note: 'x' } });
    expect(negative.publishPolicy.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'changes', 'transitLossCap'],
    });
    const unknown = await admin.data(PublishPolicyDocument, {
      input: { changes: { refundOnly: { magic: 1 } }, note: 'x' },
    });
    expect(unknown.publishPolicy.userErrors[0].field).toEqual(['input', 'changes', 'refundOnly']);
    const past = await admin.data(PublishPolicyDocument, {
      input: { changes: {}, note: 'x', effectiveFrom: '2020-01-01T00:00:00Z' },
    });
    expect(past.publishPolicy.userErrors[0]).toMatchObject({ field: ['input', 'effectiveFrom'] });
    expect(await app.orm.em.fork().count(PolicyVersion)).toBe(before);
    const merchant = await app
      .as(actors.merchant({ id: '00000000-0000-4000-8000-000000000000' }))
      .execute(PublishPolicyDocument, { input: { changes: {}, note: 'x' } });
    expect(merchant.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('orders follow the version in force when they were paid', async () => {
    const admin = app.as(actors.role(Role.POLICY_ADMIN));
    const effectiveFrom = new Date(Date.now() + 60_000).toISOString();
    const published = await admin.data(PublishPolicyDocument, {
      input: { changes: { shipWithinHours: 24 }, note: '24 小时发货', effectiveFrom },
    });
    expect(published.publishPolicy.userErrors).toEqual([]);
    expect((await admin.data(ActivePolicyDocument)).activePolicy.numbers.shipWithinHours).toBe(48); // not yet in force

    const make = factories(app.orm);
    const merchant = await make.merchant();
    const refs = { merchant, buyer: await make.buyer(), product: await make.product(merchant) };
    const before = new Date(Date.now() - 3_600_000);
    const after = new Date(Date.parse(effectiveFrom) + 1000);
    const { ingestOrders } = await app.data(IngestOrdersDocument, {
      input: [orderInput(refs, { paidAt: before.toISOString() }), orderInput(refs, { paidAt: after.toISOString() })],
    });
    const [old, current] = ingestOrders.results.map((r) => r.order!);
    expect(Date.parse(old.shipBy) - before.getTime()).toBe(48 * 3_600_000);
    expect(Date.parse(current.shipBy) - after.getTime()).toBe(24 * 3_600_000);
  });

  it('a change effective now is carried into versions already scheduled, so a later version cannot undo it', async () => {
    const ctx = platformContext(app.orm, MODULES, 'POLICY_ADMIN:test');
    const in2031 = new Date(Date.now() + 400 * 86_400_000);
    const scheduled = await policiesService.publish(ctx, {
      changes: { priceErrorCompensation: 600 },
      note: '价格设错补偿 6 元',
      effectiveFrom: in2031,
    });
    expect(scheduled.refusals).toEqual([]);
    const now = await policiesService.publish(ctx, {
      changes: { smallMerchantCouponCap: 700_000 },
      note: '帮扶 7,000 元',
    });
    expect(now.refusals).toEqual([]);
    const timeline = await policiesService.timelineIn(platformContext(app.orm, MODULES, 'test'));
    const later = versionInForce(timeline, new Date(in2031.getTime() + 1000));
    expect(later.numbers).toMatchObject({ priceErrorCompensation: 600, smallMerchantCouponCap: 700_000 });
    expect(later.version).toBeGreaterThan(now.policy!.version);
    expect(later.note).toMatch(/re-based on version/);
    // Nothing stored was edited: the scheduled version is still there as it was published.
    expect(timeline.find((v) => v.version === scheduled.policy!.version)?.numbers.smallMerchantCouponCap).toBe(600_000);
  });

  it('caps have upper bounds: a cap of 10^15 fen is refused', async () => {
    const ctx = platformContext(app.orm, MODULES, 'POLICY_ADMIN:test');
    const huge = await policiesService.publish(ctx, { changes: { smallMerchantCouponCap: 1e15 }, note: 'typo' });
    expect(huge.refusals[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'changes', 'smallMerchantCouponCap'],
    });
  });

  it('shows a merchant the numbers that decide its outcomes: band autonomy, key evidence, the appeal cap and answer window', async () => {
    const query = parse(`{ activePolicy { numbers {
      refundOnly { bandAutonomy { high { amount } medium { amount } } keyEvidence { reason evidence } minorDefectMaxRefundBp }
      appeals { answerHours compensationCap { amount } evidence { kind evidence } } } } }`);
    const { activePolicy } = (await app
      .as(actors.merchant(await factories(app.orm).merchant()))
      .data(query as never)) as { activePolicy: { numbers: Record<string, any> } };
    const { refundOnly, appeals } = DEFAULT_POLICY_NUMBERS;
    expect(activePolicy.numbers.refundOnly.bandAutonomy.high.amount).toBe(
      (refundOnly.bandAutonomy.high / 100).toFixed(2),
    );
    expect(activePolicy.numbers.refundOnly.keyEvidence).toHaveLength(Object.keys(refundOnly.keyEvidence).length);
    expect(activePolicy.numbers.appeals).toMatchObject({
      answerHours: appeals.answerHours,
      compensationCap: { amount: (appeals.compensationCap / 100).toFixed(2) },
    });
  });

  it("reads answer with the version in force at the context's time, as mutations decide with it", async () => {
    const admin = app.as(actors.role(Role.POLICY_ADMIN));
    const merchant = app.as(actors.merchant(await factories(app.orm).merchant()));
    const inTenDays = new Date(app.clock.now().getTime() + 10 * 86_400_000);
    const { publishPolicy } = await admin.data(PublishPolicyDocument, {
      input: { changes: { shipWithinHours: 36 }, note: '36 小时发货', effectiveFrom: inTenDays.toISOString() },
    });
    expect(publishPolicy.userErrors).toEqual([]);
    const scheduled = publishPolicy.policy!.version;
    const reads = async () => [
      (await admin.data(ActivePolicyDocument)).activePolicy.version,
      (await merchant.data(AppealRequirementsDocument, { kind: 'PENALTY' })).appealRequirements.policyVersion,
    ];
    expect(await reads()).not.toContain(scheduled);
    app.clock.advance(11 * 86_400_000);
    try {
      expect(await reads()).toEqual([scheduled, scheduled]);
    } finally {
      app.clock.reset();
    }
  });
});
