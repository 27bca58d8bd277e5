import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { fromGlobalId, toGlobalId } from '../../../src/graphql/global-id';
import { DEFAULT_POLICY_NUMBERS as POLICY } from '../../../src/modules/policies/policy.defaults';
import { Role } from '../../../src/security/roles';
import { DAY_MS } from '../../../src/shared/time';
import {
  AssignAppealDocument,
  AuditLogDocument,
  DecideAppealDocument,
  FileAppealDocument,
  type FileAppealInput,
  MerchantStandingDocument,
  type MerchantStatus,
  SetMerchantStatusDocument,
  StatusChangeNodeDocument,
} from '../../generated/graphql';
import { factories, gid } from '../../helpers/factories';
import { actors, createTestApp, type TestApp } from '../../helpers/test-app';

/**
 * Issue 22, finding 3: a penalty (a warning, a restriction, a clearance) is a subject with its own global
 * id; an upheld PENALTY appeal reverses it and what rested on it, in the decision's transaction. The
 * remedy window before a restriction or clearance is reached by moving the app's clock.
 */
describe('penalty appeals', () => {
  let app: TestApp;
  const risk = () => app.as(actors.role(Role.RISK));
  const arbitrator = () => app.as(actors.role(Role.ARBITRATOR));
  const remedyWindowMs = POLICY.merchantStatus.remedyWindowDays * DAY_MS;

  beforeAll(async () => {
    app = await createTestApp();
  });
  beforeEach(() => app.clock.reset());
  afterAll(() => app?.close());

  const setStatus = async (merchant: { id: string }, status: MerchantStatus, reason = '经营违规') => {
    const { setMerchantStatus } = await risk().data(SetMerchantStatusDocument, {
      input: { merchantId: gid.merchant(merchant), status, reason },
    });
    return setMerchantStatus;
  };
  /** Sets the status and returns the history row it recorded. */
  const penalise = async (merchant: { id: string }, status: MerchantStatus, reason = '经营违规') => {
    const { merchant: after, userErrors } = await setStatus(merchant, status, reason);
    expect(userErrors).toEqual([]);
    return after!.statusHistory.at(-1)!;
  };
  const standing = async (merchant: { id: string }) =>
    (await app.data(MerchantStandingDocument, { id: gid.merchant(merchant) })).merchant!;
  const fileInput = (merchant: { id: string }, subjectId: string, values: Partial<FileAppealInput> = {}) => ({
    merchantId: gid.merchant(merchant),
    kind: 'PENALTY' as const,
    subjectType: 'MERCHANT_STATUS_CHANGE' as const,
    subjectId,
    statement: '处罚依据的投诉系同行恶意投诉',
    evidence: [{ kind: 'DESCRIPTION' as const, text: '投诉人为竞争店铺' }],
    ...values,
  });
  const fileAs = (merchant: { id: string }, input: ReturnType<typeof fileInput>) =>
    app
      .as(actors.merchant(merchant))
      .data(FileAppealDocument, { input })
      .then((r) => r.fileAppeal);
  const appealAndUphold = async (merchant: { id: string }, changeId: string) => {
    const { appeal, userErrors } = await fileAs(merchant, fileInput(merchant, changeId));
    expect(userErrors).toEqual([]);
    await arbitrator().data(AssignAppealDocument, { input: { appealId: appeal!.id } });
    const { decideAppeal } = await arbitrator().data(DecideAppealDocument, {
      input: { appealId: appeal!.id, upheld: true, reason: '处罚依据不足' },
    });
    expect(decideAppeal.userErrors).toEqual([]);
    return appeal!.id;
  };

  it('a warning has a global id the merchant reaches (and no other merchant does), its audit line names it, and an upheld appeal reverses it', async () => {
    const shop = await factories(app.orm).merchant();
    const other = await factories(app.orm).merchant();
    const warning = await penalise(shop, 'WARNED', '异常订单比例偏高');
    expect(fromGlobalId(warning.id)?.type).toBe('MerchantStatusChangeNode');

    const asShop = await app.as(actors.merchant(shop)).data(StatusChangeNodeDocument, { id: warning.id });
    expect(asShop.node).toMatchObject({ __typename: 'MerchantStatusChangeNode', id: warning.id, toStatus: 'WARNED' });
    const asOther = await app.as(actors.merchant(other)).data(StatusChangeNodeDocument, { id: warning.id });
    expect(asOther.node).toBeNull();
    const audit = await app.as(actors.merchant(shop)).data(AuditLogDocument, { id: gid.merchant(shop), first: 10 });
    expect(audit.merchant!.auditLog.edges.map((e) => e.node)).toContainEqual(
      expect.objectContaining({
        kind: 'STATUS_CHANGED',
        subjectKind: 'MERCHANT_STATUS_CHANGE',
        subjectId: fromGlobalId(warning.id)!.id,
      }),
    );

    // Another merchant cannot appeal it, in its own name or in the shop's.
    expect((await fileAs(other, fileInput(other, warning.id))).userErrors[0]).toMatchObject({
      code: 'NOT_FOUND',
      field: ['input', 'subjectId'],
    });
    expect((await fileAs(other, fileInput(shop, warning.id))).userErrors[0]).toMatchObject({
      code: 'NOT_FOUND',
      field: ['input', 'merchantId'],
    });
    // A status change is contested by a PENALTY appeal, and a PENALTY appeal contests a status change.
    const wrongKind = await fileAs(shop, fileInput(shop, warning.id, { kind: 'SCORE_DEDUCTION' }));
    expect(wrongKind.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'subjectType'] });
    const wrongSubject = await fileAs(
      shop,
      fileInput(shop, toGlobalId('Order', randomUUID()), { subjectType: 'ORDER' }),
    );
    expect(wrongSubject.userErrors[0]).toMatchObject({ code: 'INVALID_INPUT', field: ['input', 'subjectType'] });

    const appealId = await appealAndUphold(shop, warning.id);
    const after = await standing(shop);
    expect(after.status).toBe('ACTIVE');
    expect(after.statusHistory.map((h) => [h.fromStatus, h.toStatus, h.reason])).toEqual([
      ['ACTIVE', 'WARNED', '异常订单比例偏高'],
      ['WARNED', 'ACTIVE', 'appeal upheld: 处罚依据不足'],
    ]);
    expect(after.statusHistory[0]).toMatchObject({ reversedByAppealId: appealId });
    expect(after.statusHistory[0].reversedAt).not.toBeNull();
    expect(after.statusHistory[1].reversedAt).toBeNull();

    // The same penalty twice, and the reinstatement, are no subjects of a PENALTY appeal.
    const again = await fileAs(shop, fileInput(shop, warning.id));
    expect(again.userErrors[0]).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringContaining('already reversed'),
    });
    const reinstatement = await fileAs(shop, fileInput(shop, after.statusHistory[1].id));
    expect(reinstatement.userErrors[0]).toMatchObject({
      code: 'NOT_ELIGIBLE',
      message: expect.stringContaining('no penalty'),
    });
    // The reversed warning no longer stands: a restriction needs a new warning and its own window.
    expect((await setStatus(shop, 'RESTRICTED')).userErrors[0]).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it(`a restriction waits out the ${POLICY.merchantStatus.remedyWindowDays}-day remedy window by the clock; upheld on appeal, the shop is WARNED again and its warning stands`, async () => {
    expect(POLICY.merchantStatus.remedyWindowDays).toBe(7); // DOMAIN: "ours: 7 days"
    const shop = await factories(app.orm).merchant();
    await penalise(shop, 'WARNED');
    const early = await setStatus(shop, 'RESTRICTED');
    expect(early.userErrors[0]).toMatchObject({ code: 'NOT_ELIGIBLE', field: ['input', 'status'] });
    expect(early.userErrors[0].message).toContain(`${POLICY.merchantStatus.remedyWindowDays} days`);
    app.clock.advance(remedyWindowMs - 60_000);
    expect((await setStatus(shop, 'RESTRICTED')).userErrors[0]).toMatchObject({ code: 'NOT_ELIGIBLE' });
    app.clock.advance(60_000);
    const restriction = await penalise(shop, 'RESTRICTED', '整改期满未整改');

    await appealAndUphold(shop, restriction.id);
    const after = await standing(shop);
    expect(after.status).toBe('WARNED');
    expect(after.statusHistory.map((h) => [h.toStatus, h.reversedAt !== null])).toEqual([
      ['WARNED', false],
      ['RESTRICTED', true],
      ['WARNED', false],
    ]);
    // The warning's window has passed: the platform may clear the shop now, without a new wait.
    expect((await setStatus(shop, 'CLEARED')).userErrors).toEqual([]);
  });

  it('a clearance rests on its warning: upholding the warning reopens the store and reverses both; the clearance appealed later changes nothing', async () => {
    const shop = await factories(app.orm).merchant();
    const warning = await penalise(shop, 'WARNED');
    app.clock.advance(remedyWindowMs);
    const clearance = await penalise(shop, 'CLEARED', '清退');
    // Both contested at once (different subjects): the warning decided first.
    const { appeal: againstClearance } = await fileAs(shop, fileInput(shop, clearance.id));
    const againstWarning = await appealAndUphold(shop, warning.id);

    let after = await standing(shop);
    expect(after.status).toBe('ACTIVE');
    expect(after.statusHistory.map((h) => [h.toStatus, h.reversedByAppealId])).toEqual([
      ['WARNED', againstWarning],
      ['CLEARED', againstWarning],
      ['ACTIVE', null],
    ]);

    await arbitrator().data(AssignAppealDocument, { input: { appealId: againstClearance!.id } });
    await arbitrator().data(DecideAppealDocument, {
      input: { appealId: againstClearance!.id, upheld: true, reason: '清退依据不足' },
    });
    after = await standing(shop);
    expect(after.status).toBe('ACTIVE'); // not WARNED: the warning it would restore was reversed already
    expect(after.statusHistory).toHaveLength(3);
  });

  it('a clearance upheld on appeal alone restores the status before it; a shop reinstated before the decision keeps its status', async () => {
    const cleared = await factories(app.orm).merchant();
    await penalise(cleared, 'WARNED');
    app.clock.advance(remedyWindowMs);
    const clearance = await penalise(cleared, 'CLEARED');
    await appealAndUphold(cleared, clearance.id);
    expect((await standing(cleared)).status).toBe('WARNED');

    const reinstated = await factories(app.orm).merchant();
    const warning = await penalise(reinstated, 'WARNED');
    const { appeal } = await fileAs(reinstated, fileInput(reinstated, warning.id));
    await penalise(reinstated, 'ACTIVE', '整改完成');
    await arbitrator().data(AssignAppealDocument, { input: { appealId: appeal!.id } });
    await arbitrator().data(DecideAppealDocument, {
      input: { appealId: appeal!.id, upheld: true, reason: '处罚依据不足' },
    });
    const after = await standing(reinstated);
    expect(after.status).toBe('ACTIVE');
    expect(after.statusHistory.map((h) => [h.toStatus, h.reversedAt !== null])).toEqual([
      ['WARNED', true],
      ['ACTIVE', false],
    ]);
  });
});
