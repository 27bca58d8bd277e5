import type { ServiceContext } from '../../db/session';
import { LockMode } from '@mikro-orm/core';
import { yuanText } from '../../shared/money';
import { recordTransition } from '../../db/status-change.entity';
import { canReachMerchant } from '../../db/tenant-db';
import { asPlatform, runMutation, type Tx } from '../../db/transaction';
import { countAsked, type Page, paginate } from '../../graphql/connection';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';
import type { EvidenceKind, Province } from '../../shared/enums';
import type { DomainEventOf } from '../../shared/domain-events';
import { Refused, RefusalCode, refusal } from '../../shared/refusal';
import { afterSalesService } from '../after-sales/after-sales.service';
import { subsidiesService } from '../ledger/subsidies.service';
import { merchantsService } from '../merchants/merchants.service';
import { ordersService } from '../orders/orders.service';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { trustService } from '../trust/trust.service';
import { Appeal, AppealEvidence, AppealStatusChange, ForceMajeureReport } from './appeals.entity';
import { type AppealKind, AppealStatus, AppealSubjectType } from './appeals.enums';
import { APPEAL_TABLE, type AppealListArgs, appealWhere, BY_REVIEW_DEADLINE } from './appeals.query';
import { APPEAL_FIELD_READS } from './appeals.types';
import { canMoveAppeal, channelOf, isOpenAppeal, kindMismatch, missingEvidence, reviewDueAt } from './appeals.rules';

export interface AppealEvidenceInput {
  kind: EvidenceKind;
  url?: string | null;
  text?: string | null;
}

const HOUR = 3_600_000;

const fail = (code: RefusalCode, message: string, field: string): never => {
  throw new Refused([refusal(code, message, ['input', field])]);
};

/**
 * The merchant and order behind a subject, looked up through the module that owns it, in the actor's
 * tenant: a subject of another merchant is as unknown as one that does not exist.
 */
async function subjectOf(
  ctx: ServiceContext,
  type: AppealSubjectType,
  id: string,
): Promise<{ merchantId: string; orderId: string | null; notAppealable?: string | null } | null> {
  switch (type) {
    case AppealSubjectType.ORDER: {
      const [order] = await ordersService.findByIds(ctx, [id]);
      return order ? { merchantId: order.merchant.id, orderId: order.id } : null;
    }
    case AppealSubjectType.AFTER_SALES_CASE: {
      const [found] = await afterSalesService.findByIds(ctx, [id]);
      return found ? { merchantId: found.merchant.id, orderId: found.order.id } : null;
    }
    case AppealSubjectType.SCORE_EVENT: {
      const [event] = await trustService.findEvents(ctx, [id]);
      return event?.merchant ? { merchantId: event.merchant.id, orderId: event.order?.id ?? null } : null;
    }
    case AppealSubjectType.MERCHANT_STATUS_CHANGE: {
      const penalty = await merchantsService.penaltyOf(ctx, id);
      return penalty ? { ...penalty, orderId: null } : null;
    }
  }
}

async function lockAppeal(tx: Tx, appealId: string): Promise<Appeal> {
  const appeal = await tx.em.findOne(Appeal, { id: appealId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!appeal || !canReachMerchant(tx.scope, appeal.merchant.id))
    return fail(RefusalCode.NOT_FOUND, 'no such appeal', 'appealId');
  return appeal;
}

async function move(
  tx: Tx,
  appeal: Appeal,
  to: AppealStatus,
  reason: string,
  at = tx.now(),
  policyVersion?: number,
): Promise<void> {
  if (!canMoveAppeal(appeal.status, to)) {
    fail(RefusalCode.ILLEGAL_TRANSITION, `an appeal ${appeal.status} cannot become ${to}`, 'appealId');
  }
  await recordMove(tx, appeal, to, reason, at, policyVersion);
}

/**
 * A history row and `AppealMoved` (for the audit log); an escalation records one without a move. A
 * decision's move names the policy version it applied.
 */
async function recordMove(
  tx: Tx,
  appeal: Appeal,
  to: AppealStatus,
  reason: string,
  at: Date,
  policyVersion?: number,
): Promise<void> {
  const from = appeal.status;
  recordTransition(
    tx.em,
    AppealStatusChange,
    { key: 'appeal', subject: appeal },
    { to, actor: tx.actorLabel, reason, at },
  );
  await tx.emit({
    type: 'AppealMoved',
    appealId: appeal.id,
    merchantId: appeal.merchant.id,
    from,
    to,
    reason,
    at,
    ...(policyVersion === undefined ? {} : { policyVersion }),
  });
}

/**
 * The one way an appeal is decided (by a reviewer or by expiry): the final move, the decision on the
 * appeal, and `AppealDecided`, whose handlers pay, void and reverse in the same transaction.
 */
async function recordDecision(
  tx: Tx,
  appeal: Appeal,
  decision: {
    upheld: boolean;
    reason: string;
    clause: string | null;
    compensation: number;
    policyVersion: number;
    at: Date;
  },
): Promise<void> {
  const { upheld, reason, clause, compensation, policyVersion, at } = decision;
  await move(tx, appeal, upheld ? AppealStatus.UPHELD : AppealStatus.REJECTED, reason, at, policyVersion);
  Object.assign(appeal, {
    decisionReason: reason,
    decisionClause: clause,
    compensation: compensation || null,
    policyVersion,
    decidedAt: at,
  });
  await tx.em.flush();
  await tx.emit({
    type: 'AppealDecided',
    appealId: appeal.id,
    merchantId: appeal.merchant.id,
    subjectType: appeal.subjectType,
    subjectId: appeal.subjectId,
    orderId: appeal.orderId ?? null,
    upheld,
    compensation,
    reason,
    at,
  });
}

function addEvidence(tx: Tx, appeal: Appeal, items: AppealEvidenceInput[], at: Date): void {
  items.forEach((item, i) => {
    if (!item.url && !item.text) fail(RefusalCode.INVALID_INPUT, 'give a url or a text', `evidence.${i}`);
    tx.em.create(AppealEvidence, {
      appeal,
      kind: item.kind,
      url: item.url ?? null,
      text: item.text ?? null,
      actor: tx.actorLabel,
      suppliedAt: at,
    });
  });
}

const DAY = 24 * HOUR;
/** How far ahead and how long a force-majeure report may reach (ours): filed ahead, never for the past. */
const MAX_REPORT_DAYS = 30;
/** How far a window's start may lie behind the filing: the client's clock and the request's time in flight. */
const FILING_SKEW_MS = 5 * 60_000;

export const appealsService = {
  /**
   * A merchant reports force majeure (报备) for a region and a window, ahead of it: late shipments
   * of its orders whose ship-by time falls in the window, from or to that region, record no deduction.
   */
  reportForceMajeure(
    ctx: ServiceContext,
    input: { merchantId: string; region: Province; startsAt: Date; endsAt: Date; reason: string },
  ) {
    return runMutation(ctx, async (tx) => {
      if (!canReachMerchant(tx.scope, input.merchantId)) fail(RefusalCode.NOT_FOUND, 'no such merchant', 'merchantId');
      const [merchant] = await merchantsService.findByIds(tx, [input.merchantId]);
      if (!merchant) fail(RefusalCode.NOT_FOUND, 'no such merchant', 'merchantId');
      const now = tx.now();
      if (input.endsAt <= input.startsAt) fail(RefusalCode.INVALID_INPUT, 'the window ends after it starts', 'endsAt');
      // Filed ahead (DOMAIN): a window that began before the filing would excuse what already went late.
      if (input.startsAt.getTime() < now.getTime() - FILING_SKEW_MS)
        fail(RefusalCode.INVALID_INPUT, 'a report is filed ahead: its window starts now or later', 'startsAt');
      if (
        input.endsAt.getTime() - input.startsAt.getTime() > MAX_REPORT_DAYS * DAY ||
        input.startsAt.getTime() > now.getTime() + MAX_REPORT_DAYS * DAY
      ) {
        fail(
          RefusalCode.INVALID_INPUT,
          `a report covers at most ${MAX_REPORT_DAYS} days, starting within ${MAX_REPORT_DAYS} days`,
          'endsAt',
        );
      }
      const reason = input.reason.trim();
      if (!reason) fail(RefusalCode.INVALID_INPUT, 'say what happened', 'reason');
      const report = tx.em.create(ForceMajeureReport, {
        merchant: input.merchantId,
        region: input.region,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        reason,
        actor: tx.actorLabel,
      });
      await tx.em.flush();
      await tx.emit({
        type: 'ForceMajeureReported',
        reportId: report.id,
        merchantId: input.merchantId,
        region: input.region,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        reason,
        at: now,
      });
      return { report };
    });
  },

  /**
   * For trust's shipping handler: the late shipments a force-majeure report excuses, with why. A report
   * covers an order when its ship-by time is inside the window and the region is the merchant's own
   * (where it ships from) or the order's destination.
   */
  async forceMajeureExcuses(tx: Tx, late: DomainEventOf<'OrderShipped'>[]): Promise<Map<string, string>> {
    const excused = new Map<string, string>();
    if (!late.length) return excused;
    return asPlatform(tx, async (platformTx) => {
      const { em } = platformTx;
      const merchantIds = [...new Set(late.map((shipped) => shipped.merchantId))];
      const reports = await em.find(ForceMajeureReport, { merchant: { $in: merchantIds } });
      if (!reports.length) return excused;
      const regions = new Map((await merchantsService.findByIds(platformTx, merchantIds)).map((m) => [m.id, m.region]));
      for (const shipped of late) {
        const report = reports.find(
          (r) =>
            r.merchant.id === shipped.merchantId &&
            // Only from its filing on, whatever the window says (reports filed before the rule).
            r.startsAt <= shipped.shipBy &&
            r.createdAt <= shipped.shipBy &&
            shipped.shipBy <= r.endsAt &&
            (r.region === regions.get(shipped.merchantId) || r.region === shipped.destinationRegion),
        );
        if (report) excused.set(shipped.orderId, `force-majeure report for ${report.region}: ${report.reason}`);
      }
      return excused;
    });
  },

  forceMajeureReports(ctx: ServiceContext, merchantId: string): Promise<ForceMajeureReport[]> {
    return ctx.loaders.appeals.forceMajeure.load(merchantId);
  },

  load(ctx: ServiceContext, id: string): Promise<Appeal | null> {
    return ctx.loaders.appeals.byId.load(id);
  },

  /** `asked`: what the caller reads of the connection (its `totalCount` alone: no page of appeals is read). */
  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    args: AppealListArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<Appeal>> {
    return ctx.loaders.appeals.byMerchant.load({ parentId: merchantId, args, ...countAsked(asked) });
  },

  /**
   * Staff's queue: open appeals by review deadline (the green channel's come due first). `asked`:
   * what the caller will read of the connection; only the nodes' columns asked are fetched.
   */
  queue(ctx: ServiceContext, args: AppealListArgs, asked: ConnectionAsk = ASKS_ALL): Promise<Page<Appeal>> {
    return paginate(ctx.db, Appeal, {
      ...APPEAL_TABLE,
      shape: 'appeals.queue',
      where: appealWhere({ open: true, ...args.filter }),
      sort: BY_REVIEW_DEADLINE,
      page: args,
      columns: ctx.db.columnsFor(Appeal, asked.nodes, APPEAL_FIELD_READS),
      ...countAsked(asked),
    });
  },

  evidence(ctx: ServiceContext, appealId: string): Promise<AppealEvidence[]> {
    return ctx.loaders.appeals.evidence.load(appealId);
  },

  statusHistory(ctx: ServiceContext, appealId: string): Promise<AppealStatusChange[]> {
    return ctx.loaders.appeals.statusHistory.load(appealId);
  },

  /** What an appeal of `kind` must carry, from the policy in force. */
  async requirements(ctx: ServiceContext, kind: AppealKind) {
    const policy = await policiesService.inForce(ctx);
    return { kind, ...missingEvidence(kind, [], policy.numbers), policyVersion: policy.version };
  },

  /**
   * A merchant files an appeal on its own subject, with the evidence its kind needs. No limit on how
   * many; at most one open per subject. The channel and review deadline come from the policy.
   */
  file(
    ctx: ServiceContext,
    input: {
      merchantId: string;
      kind: AppealKind;
      subjectType: AppealSubjectType;
      subjectId: string;
      statement: string;
      evidence: AppealEvidenceInput[];
    },
  ) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      if (!canReachMerchant(tx.scope, input.merchantId)) fail(RefusalCode.NOT_FOUND, 'no such merchant', 'merchantId');
      const mismatch = kindMismatch(input.kind, input.subjectType);
      if (mismatch) fail(RefusalCode.INVALID_INPUT, mismatch, 'subjectType');
      const subject = await subjectOf(tx, input.subjectType, input.subjectId);
      if (!subject || subject.merchantId !== input.merchantId)
        fail(RefusalCode.NOT_FOUND, 'no such subject', 'subjectId');
      if (subject!.notAppealable) fail(RefusalCode.NOT_ELIGIBLE, subject!.notAppealable, 'subjectId');
      const statement = input.statement.trim();
      if (!statement || statement.length > 5_000)
        fail(RefusalCode.INVALID_INPUT, 'a statement has 1 to 5,000 characters', 'statement');
      const now = tx.now();
      const policy = versionInForce(await policiesService.timelineIn(tx), now);
      const { missing } = missingEvidence(
        input.kind,
        input.evidence.map((e) => e.kind),
        policy.numbers,
      );
      if (missing.length)
        fail(RefusalCode.INVALID_INPUT, `a ${input.kind} appeal needs ${missing.join(', ')}`, 'evidence');
      const open = await em.findOne(Appeal, {
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        status: { $nin: [AppealStatus.UPHELD, AppealStatus.REJECTED, AppealStatus.WITHDRAWN] },
      });
      if (open) fail(RefusalCode.ALREADY_OPEN, 'this subject already has an open appeal', 'subjectId');
      const standing = await asPlatform(tx, async (platformTx) => {
        const [merchant] = await merchantsService.findByIds(platformTx, [input.merchantId]);
        const highRepurchase = await trustService.highRepurchase(platformTx, input.merchantId, now, policy.numbers);
        return { tier: merchant!.tier, highRepurchase };
      });
      const channel = channelOf(standing);
      const appeal = em.create(Appeal, {
        merchant: input.merchantId,
        kind: input.kind,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        orderId: subject!.orderId,
        statement,
        status: AppealStatus.SUBMITTED,
        channel,
        submittedAt: now,
        reviewDueAt: reviewDueAt(channel, now, policy.numbers),
        policyVersion: policy.version,
      });
      recordTransition(
        em,
        AppealStatusChange,
        { key: 'appeal', subject: appeal },
        { to: AppealStatus.SUBMITTED, actor: tx.actorLabel, reason: 'filed by the merchant', at: now },
        true,
      );
      addEvidence(tx, appeal, input.evidence, now);
      await tx.em.flush();
      await tx.emit({
        type: 'AppealMoved',
        appealId: appeal.id,
        merchantId: input.merchantId,
        from: null,
        to: AppealStatus.SUBMITTED,
        reason: 'filed by the merchant',
        at: now,
      });
      return { appeal };
    });
  },

  /**
   * The SLA timers, run by a scheduled job (and by tests with their own `now`): an open appeal past its
   * review deadline is escalated once (priority up, a history row); an evidence request unanswered by
   * its deadline expires the appeal (rejected, citing appeals.answerHours). Rows are claimed with
   * SKIP LOCKED and the escalated flag, so two gateways running it at once act once.
   */
  enforceDeadlines(ctx: ServiceContext, now: Date) {
    return runMutation(ctx, async (tx) => {
      const { em } = tx;
      const overdue = await em.find(
        Appeal,
        {
          escalated: false,
          reviewDueAt: { $lt: now },
          status: { $in: [AppealStatus.SUBMITTED, AppealStatus.UNDER_REVIEW, AppealStatus.NEEDS_EVIDENCE] },
        },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { reviewDueAt: 'asc' }, limit: 500 },
      );
      for (const appeal of overdue) {
        appeal.escalated = true;
        appeal.priority += 1;
        const reason = `review overdue since ${appeal.reviewDueAt.toISOString()}: escalated`;
        await recordMove(tx, appeal, appeal.status, reason, now);
      }
      const unanswered = await em.find(
        Appeal,
        { status: AppealStatus.NEEDS_EVIDENCE, evidenceDueAt: { $lt: now } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { evidenceDueAt: 'asc' }, limit: 500 },
      );
      const policy = versionInForce(await policiesService.timelineIn(tx), now);
      for (const appeal of unanswered) {
        const reason = `the evidence requested was not supplied by ${appeal.evidenceDueAt!.toISOString()}`;
        await recordDecision(tx, appeal, {
          upheld: false,
          reason,
          clause: 'appeals.answerHours',
          compensation: 0,
          policyVersion: policy.version,
          at: now,
        });
      }
      return { escalated: overdue.length, expired: unanswered.length };
    });
  },

  /** An arbitrator takes the appeal (the first assignment starts the review). */
  assign(ctx: ServiceContext, input: { appealId: string; assignee?: string | null }) {
    return runMutation(ctx, async (tx) => {
      const appeal = await lockAppeal(tx, input.appealId);
      if (!isOpenAppeal(appeal.status))
        fail(RefusalCode.ILLEGAL_TRANSITION, `the appeal is ${appeal.status}`, 'appealId');
      appeal.assignee = input.assignee?.trim() || tx.actorLabel;
      if (appeal.status === AppealStatus.SUBMITTED)
        await move(tx, appeal, AppealStatus.UNDER_REVIEW, `assigned to ${appeal.assignee}`);
      return { appeal };
    });
  },

  /** The reviewer asks the merchant for more evidence, to be answered within the policy's hours. */
  requestEvidence(ctx: ServiceContext, input: { appealId: string; reason: string }) {
    return runMutation(ctx, async (tx) => {
      const appeal = await lockAppeal(tx, input.appealId);
      const now = tx.now();
      const policy = versionInForce(await policiesService.timelineIn(tx), now);
      await move(tx, appeal, AppealStatus.NEEDS_EVIDENCE, input.reason, now);
      appeal.evidenceDueAt = new Date(now.getTime() + policy.numbers.appeals.answerHours * HOUR);
      return { appeal };
    });
  },

  /** The merchant adds evidence; answering a request (before its deadline) returns the appeal to review. */
  answer(ctx: ServiceContext, input: { appealId: string; evidence: AppealEvidenceInput[] }) {
    return runMutation(ctx, async (tx) => {
      const appeal = await lockAppeal(tx, input.appealId);
      if (!isOpenAppeal(appeal.status))
        fail(RefusalCode.ILLEGAL_TRANSITION, `the appeal is ${appeal.status}`, 'appealId');
      if (!input.evidence.length) fail(RefusalCode.INVALID_INPUT, 'send at least one item', 'evidence');
      const now = tx.now();
      if (appeal.status === AppealStatus.NEEDS_EVIDENCE && appeal.evidenceDueAt && now > appeal.evidenceDueAt) {
        fail(RefusalCode.NOT_ELIGIBLE, `the evidence was due by ${appeal.evidenceDueAt.toISOString()}`, 'appealId');
      }
      addEvidence(tx, appeal, input.evidence, now);
      if (appeal.status === AppealStatus.NEEDS_EVIDENCE) {
        await move(tx, appeal, AppealStatus.UNDER_REVIEW, 'evidence supplied', now);
        appeal.evidenceDueAt = null;
      }
      return { appeal };
    });
  },

  withdraw(ctx: ServiceContext, input: { appealId: string; reason: string }) {
    return runMutation(ctx, async (tx) => {
      const appeal = await lockAppeal(tx, input.appealId);
      await move(tx, appeal, AppealStatus.WITHDRAWN, input.reason.trim() || 'withdrawn by the merchant');
      return { appeal };
    });
  },

  /**
   * The reviewer decides. Upheld: the platform pays for the order (compensation within the policy's
   * cap, its promotion and technical service fees back) and the subject's score deductions are voided,
   * all in this transaction. Rejected: with a reason and the policy clause it rests on.
   */
  decide(
    ctx: ServiceContext,
    input: { appealId: string; upheld: boolean; reason: string; clause?: string | null; compensation?: number | null },
  ) {
    return runMutation(ctx, async (tx) => {
      const appeal = await lockAppeal(tx, input.appealId);
      if (!tx.scope.platform) fail(RefusalCode.FORBIDDEN_PARTY, 'a merchant does not decide appeals', 'appealId');
      const reason = input.reason.trim();
      if (!reason) fail(RefusalCode.INVALID_INPUT, 'a decision gives its reason', 'reason');
      const clause = input.clause?.trim() || null;
      if (!input.upheld && !clause)
        fail(RefusalCode.INVALID_INPUT, 'a rejection names the policy clause it rests on', 'clause');
      const compensation = input.compensation ?? 0;
      const now = tx.now();
      // The merchant was given until the deadline to answer; only then may silence end the appeal.
      if (appeal.status === AppealStatus.NEEDS_EVIDENCE && appeal.evidenceDueAt && now < appeal.evidenceDueAt) {
        fail(
          RefusalCode.ILLEGAL_TRANSITION,
          `the merchant may answer the evidence request until ${appeal.evidenceDueAt.toISOString()} (appeals.answerHours)`,
          'appealId',
        );
      }
      const policy = versionInForce(await policiesService.timelineIn(tx), now);
      if (compensation) {
        if (!input.upheld) fail(RefusalCode.INVALID_INPUT, 'a rejection pays nothing', 'compensation');
        const orderId =
          appeal.orderId ?? fail(RefusalCode.INVALID_INPUT, 'compensation is paid for an order', 'compensation');
        // Per order, across all its upheld appeals; the posting checks it again under the fund's lock.
        const cap = policy.numbers.appeals.compensationCap;
        const paid = await subsidiesService.appealCompensationOnOrder(tx, orderId);
        if (compensation > cap - paid) {
          fail(
            RefusalCode.CAP_EXCEEDED,
            `compensation is at most ${yuanText(cap)} per order (appeals.compensationCap); ` +
              `${yuanText(paid)} was already paid on this order, ${yuanText(Math.max(0, cap - paid))} remains`,
            'compensation',
          );
        }
      }
      await recordDecision(tx, appeal, {
        upheld: input.upheld,
        reason,
        clause,
        compensation,
        policyVersion: policy.version,
        at: now,
      });
      return { appeal };
    });
  },
};
