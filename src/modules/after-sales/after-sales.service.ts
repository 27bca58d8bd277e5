import type { ServiceContext } from '../../db/session';
import { LockMode } from '@mikro-orm/core';
import { yuanText } from '../../shared/money';
import { recordTransition } from '../../db/status-change.entity';
import { canReachMerchant } from '../../db/tenant-db';
import { asPlatform, runMutation, type Tx } from '../../db/transaction';
import { countAsked, type Page, paginate } from '../../graphql/connection';
import { ASKS_ALL, type ConnectionAsk } from '../../graphql/selection';
import type { DomainEvent } from '../../shared/domain-events';
import { OrderStatus, type SalesPlatform } from '../../shared/enums';
import { contentHash } from '../../shared/hash';
import { type Refusal, Refused, RefusalCode, refusal } from '../../shared/refusal';
import { isInFuture } from '../../shared/time';
import { buyersService } from '../buyers/buyers.service';
import { ordersService } from '../orders/orders.service';
import { versionInForce } from '../policies/policies.rules';
import { policiesService } from '../policies/policies.service';
import { trustService } from '../trust/trust.service';
import { breakerReadings } from './after-sales.breakers';
import { AfterSalesCase, CaseEvidence, CaseMessage, CaseStatusChange } from './after-sales.entity';
import {
  BreakerSubject,
  CaseParty,
  CaseReason,
  CaseRuling,
  CaseStatus,
  CaseType,
  EvidenceKind,
  InterventionOutcome,
} from './after-sales.enums';
import {
  addToTallies,
  CASE_FIELD_READS,
  CASE_TABLE,
  caseWhere,
  type CaseListArgs,
  chinaDay,
  NEWEST_CASES_FIRST,
} from './after-sales.query';
import {
  canMove,
  decideIntervention,
  isOpen,
  merchantAtFault,
  refundableLeft,
  rulingViolation,
} from './after-sales.rules';

export const MAX_OPEN_BATCH = 1_000;

export interface EvidenceInput {
  kind: EvidenceKind;
  url?: string | null;
  text?: string | null;
}

/** A case as the platform reports it, with local ids (the GraphQL edge decoded them). */
export interface OpenCaseItem {
  platform: SalesPlatform;
  externalNumber: string;
  orderId: string;
  productId?: string | null;
  type: CaseType;
  reason: CaseReason;
  afterReceipt?: boolean | null;
  requestedAmount: number;
  officialPickup?: boolean | null;
  openedAt?: Date | null;
  evidence?: EvidenceInput[] | null;
  /** Ids that did not decode, refused at their path. */
  refusals: Refusal[];
}

export enum OpenOutcome {
  CREATED = 'CREATED',
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}

export interface OpenResult {
  index: number;
  externalNumber: string;
  outcome: OpenOutcome;
  afterSalesCase: AfterSalesCase | null;
  refusals: Refusal[];
}

const fail = (code: RefusalCode, message: string, field: string[]): never => {
  throw new Refused([refusal(code, message, ['input', ...field])]);
};

/** Who the context's actor is in a case: the merchant itself, or the platform (staff and services). */
const partyOf = (tx: Tx) => (tx.scope.platform ? CaseParty.PLATFORM : CaseParty.MERCHANT);

/** Locks a case the actor may reach, or refuses as if it did not exist. */
async function lockCase(tx: Tx, caseId: string): Promise<AfterSalesCase> {
  const found = await tx.em.findOne(AfterSalesCase, { id: caseId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  return reachable(tx, found);
}

function reachable(tx: Tx, found: AfterSalesCase | null | undefined): AfterSalesCase {
  if (!found || !canReachMerchant(tx.scope, found.merchant.id))
    return fail(RefusalCode.NOT_FOUND, 'no such case', ['caseId']);
  return found;
}

/**
 * A case to rule, locked with every other case of its order in one statement (in id order): rulings
 * of one order's cases take turns, so each sees the refunds the others made and two at once cannot
 * each miss that together they refunded the order in full.
 */
async function lockCaseToRule(tx: Tx, caseId: string): Promise<{ subject: AfterSalesCase; ofOrder: AfterSalesCase[] }> {
  const ofOrder = await tx.em
    .createQueryBuilder(AfterSalesCase, 'c')
    .select('c.*')
    .where('c.order_id = (select s.order_id from after_sales_case as s where s.id = ?)', [caseId])
    .orderBy({ id: 'asc' })
    .setLockMode(LockMode.PESSIMISTIC_WRITE)
    .getResultList();
  return {
    subject: reachable(
      tx,
      ofOrder.find((c) => c.id === caseId),
    ),
    ofOrder,
  };
}

function move(tx: Tx, subject: AfterSalesCase, to: CaseStatus, reason: string, at = tx.now()): void {
  if (!canMove(subject.status, to)) {
    fail(RefusalCode.ILLEGAL_TRANSITION, `a case ${subject.status} cannot become ${to}`, ['caseId']);
  }
  recordTransition(
    tx.em,
    CaseStatusChange,
    { key: 'afterSalesCase', subject },
    { to, actor: tx.actorLabel, reason, at },
  );
}

function parseOpenItem(item: OpenCaseItem, index: number, now: Date) {
  const path = ['input', String(index)];
  const refusals = [...item.refusals];
  const bad = (field: string, message: string) =>
    refusals.push(refusal(RefusalCode.INVALID_INPUT, message, [...path, field]));
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(item.externalNumber)) bad('externalNumber', 'letters, digits, - and _, 1 to 64');
  if (!Number.isSafeInteger(item.requestedAmount) || item.requestedAmount <= 0)
    bad('requestedAmount', 'request a positive amount');
  if (item.openedAt && isInFuture(item.openedAt, now)) bad('openedAt', 'openedAt is in the future');
  if (item.officialPickup && item.type !== CaseType.RETURN_REFUND && item.type !== CaseType.EXCHANGE)
    bad('officialPickup', 'only a return or an exchange is picked up');
  (item.evidence ?? []).forEach((evidence, i) => {
    if (!evidence.url && !evidence.text) bad(`evidence.${i}`, 'give a url or a text');
  });
  const hash = contentHash({ ...item, refusals: undefined, openedAt: item.openedAt?.toISOString() ?? null });
  return { item, index, path, refusals, hash, openedAt: item.openedAt ?? now };
}

/**
 * Decides an intervention on a locked case at `now` (rules 1-7, stored with its rationale) and moves
 * the case: under review when the platform reviews, waiting when it waits, unchanged when it declines.
 */
async function interveneOn(
  tx: Tx,
  subject: AfterSalesCase,
  now: Date,
  requestedBy: 'MERCHANT' | 'BUYER' = partyOf(tx) === CaseParty.MERCHANT ? 'MERCHANT' : 'BUYER',
) {
  const policy = versionInForce(await policiesService.timelineIn(tx), now);
  const decision = await asPlatform(tx, async (platformTx) => {
    const [buyer] = await buyersService.findByIds(platformTx, [subject.buyer.id]);
    const evidence = await platformTx.em.find(CaseEvidence, {
      afterSalesCase: subject,
      suppliedBy: CaseParty.BUYER,
    });
    const breakers = await breakerReadings(
      platformTx,
      [
        { subject: BreakerSubject.BUYER, subjectId: subject.buyer.id },
        { subject: BreakerSubject.MERCHANT, subjectId: subject.merchant.id },
        { subject: BreakerSubject.PRODUCT, subjectId: subject.product.id },
      ],
      policy.numbers,
      now,
    );
    const facts = {
      case: {
        type: subject.type,
        reason: subject.reason,
        afterReceipt: subject.afterReceipt,
        requestedAmount: subject.requestedAmount,
        openedAt: subject.openedAt,
        buyerEvidence: evidence.map((e) => e.kind),
        requestedBy,
      },
      buyer: { malicious: buyer?.malicious ?? false },
      merchant: await trustService.standingFor(platformTx, subject.merchant.id, now, policy.numbers),
    };
    const breakerCounts = breakers.map((r) => ({ subject: r.subject, refundOnly: r.refundOnly, orders: r.sample }));
    return {
      ...decideIntervention({ ...facts, breakers, policy, now }),
      facts: { ...facts, breakerCounts, decidedAt: now },
    };
  });
  subject.decision = decision;
  subject.interveneAfter = decision.interveneAfter;
  await tx.emit({
    type: 'AfterSalesCaseDecided',
    caseId: subject.id,
    merchantId: subject.merchant.id,
    outcome: decision.outcome,
    policyVersion: decision.policyVersion,
    at: now,
  });
  const waiting = [InterventionOutcome.WAITING_FOR_EVIDENCE, InterventionOutcome.WAITING_FOR_NEGOTIATION];
  const reviews = decision.outcome === InterventionOutcome.PLATFORM_REVIEWS;
  if ((reviews || waiting.includes(decision.outcome)) && subject.status !== CaseStatus.INTERVENTION_REQUESTED) {
    move(tx, subject, CaseStatus.INTERVENTION_REQUESTED, `intervention asked by the ${partyOf(tx)}`, now);
  }
  if (reviews) move(tx, subject, CaseStatus.UNDER_REVIEW, 'the platform reviews (rules 1-7 allow it)', now);
  return subject.decision!;
}

interface RulingInput {
  caseId: string;
  ruling: CaseRuling;
  refundAmount?: number | null;
  returnShippingCost?: number | null;
  reason: string;
}

/**
 * A case's ruling, by an arbitrator or by the merchant within its autonomy: checked against the case's
 * decision, then the refund, the order's full refund, payouts and score events, in the caller's
 * transaction.
 */
async function settle(
  tx: Tx,
  { subject, ofOrder }: { subject: AfterSalesCase; ofOrder: AfterSalesCase[] },
  input: RulingInput,
  now = tx.now(),
): Promise<void> {
  const [order] = await ordersService.lockByIds(tx, [subject.order.id]);
  const { numbers } = versionInForce(await policiesService.timelineIn(tx), now);
  const violation = rulingViolation(subject, input.ruling, input.refundAmount ?? null, numbers.refundOnly);
  if (violation) {
    fail(violation.field === 'ruling' ? RefusalCode.NOT_ELIGIBLE : RefusalCode.INVALID_INPUT, violation.message, [
      violation.field,
    ]);
  }
  const reason = input.reason.trim();
  if (!reason) fail(RefusalCode.INVALID_INPUT, 'a ruling gives its reason', ['reason']);
  const shipping = input.returnShippingCost ?? null;
  if (shipping !== null && (!subject.officialPickup || !Number.isSafeInteger(shipping) || shipping <= 0)) {
    fail(
      RefusalCode.INVALID_INPUT,
      'return shipping is subsidised for a return through official pickup, with a positive cost',
      ['returnShippingCost'],
    );
  }
  const refund =
    input.ruling === CaseRuling.REFUND_FULL
      ? subject.requestedAmount
      : input.ruling === CaseRuling.REFUND_PARTIAL
        ? input.refundAmount!
        : 0;
  move(tx, subject, CaseStatus.RULED, reason, now);
  subject.ruling = input.ruling;
  subject.refundAmount = refund;
  subject.ruledAt = now;
  subject.rulingReason = reason;
  await tx.em.flush();

  // The ruling first, then what it causes: its payouts and score events (handlers of this event),
  // then the order's full refund and the order's own consequences.
  await tx.emit({
    type: 'AfterSalesCaseRuled',
    caseId: subject.id,
    orderId: subject.order.id,
    merchantId: subject.merchant.id,
    buyerId: subject.buyer.id,
    productId: subject.product.id,
    ruling: input.ruling,
    refundAmount: refund,
    merchantAtFault: merchantAtFault(subject.reason, input.ruling),
    drawsRepurchaseSubsidy: Boolean(subject.decision?.drawsRepurchaseSubsidy),
    returnShippingCost: refund > 0 && subject.officialPickup ? shipping : null,
    ruledAt: now,
  });
  if (refund > 0) {
    // The order is fully refunded once its refunds reach what was paid: it moves to REFUNDED, and
    // the order's own rules follow (promotion-fee rebate of a promoted order).
    const refunded = ofOrder.reduce((sum, c) => sum + (c.refundAmount ?? 0), 0);
    if (order && refunded >= order.paidAmount && order.status !== OrderStatus.REFUNDED) {
      await asPlatform(tx, (platformTx) =>
        ordersService.refundIn(platformTx, {
          orderId: order.id,
          at: now,
          reason: `fully refunded by after-sales case ${subject.externalNumber}`,
          caseId: subject.id,
        }),
      );
    }
  }
}

export const afterSalesService = {
  /** For other modules' transactions: the cases among `ids` the actor may see. */
  findByIds(ctx: ServiceContext, ids: string[]): Promise<AfterSalesCase[]> {
    return ids.length ? ctx.em.find(AfterSalesCase, { id: { $in: ids } }) : Promise.resolve([]);
  },

  load(ctx: ServiceContext, id: string): Promise<AfterSalesCase | null> {
    return ctx.loaders.afterSales.byId.load(id);
  },

  /** `asked`: what the caller will read of the connection; only the nodes' columns asked are fetched. */
  list(ctx: ServiceContext, args: CaseListArgs, asked: ConnectionAsk = ASKS_ALL): Promise<Page<AfterSalesCase>> {
    return paginate(ctx.db, AfterSalesCase, {
      shape: 'afterSales.list',
      ...CASE_TABLE,
      where: caseWhere(args.filter),
      sort: NEWEST_CASES_FIRST,
      page: args,
      columns: ctx.db.columnsFor(AfterSalesCase, asked.nodes, CASE_FIELD_READS),
      ...countAsked(asked),
    });
  },

  /** `asked`: what the caller reads of the connection (its `totalCount` alone: no page of cases is read). */
  ofMerchant(
    ctx: ServiceContext,
    merchantId: string,
    args: CaseListArgs,
    asked: ConnectionAsk = ASKS_ALL,
  ): Promise<Page<AfterSalesCase>> {
    return ctx.loaders.afterSales.byMerchant.load({ parentId: merchantId, args, ...countAsked(asked) });
  },

  ofOrder(ctx: ServiceContext, orderId: string): Promise<AfterSalesCase[]> {
    return ctx.loaders.afterSales.byOrder.load(orderId);
  },

  evidence(ctx: ServiceContext, caseId: string): Promise<CaseEvidence[]> {
    return ctx.loaders.afterSales.evidence.load(caseId);
  },

  messages(ctx: ServiceContext, caseId: string): Promise<CaseMessage[]> {
    return ctx.loaders.afterSales.messages.load(caseId);
  },

  statusHistory(ctx: ServiceContext, caseId: string): Promise<CaseStatusChange[]> {
    return ctx.loaders.afterSales.statusHistory.load(caseId);
  },

  /**
   * Opens a batch of platform cases. Each item is created, a duplicate (same platform, number and
   * content), or rejected with its refusals; the created ones commit together with their history,
   * the breakers' counters and the buyer's refund-only record.
   */
  async open(ctx: ServiceContext, items: OpenCaseItem[]) {
    const empty = { results: [] as OpenResult[], createdCount: 0, duplicateCount: 0, rejectedCount: 0 };
    if (items.length === 0) {
      return { ...empty, refusals: [refusal(RefusalCode.BATCH_EMPTY, 'send at least one case', ['input'])] };
    }
    if (items.length > MAX_OPEN_BATCH) {
      return {
        ...empty,
        refusals: [
          refusal(RefusalCode.BATCH_TOO_LARGE, `send at most ${MAX_OPEN_BATCH} cases per call (got ${items.length})`, [
            'input',
          ]),
        ],
      };
    }
    const outcome = await runMutation(ctx, async (tx) => {
      const { em } = tx;
      const now = tx.now();
      const parsed = items.map((item, index) => parseOpenItem(item, index, now));
      const orderIds = [...new Set(parsed.map((p) => p.item.orderId).filter(Boolean))];
      // Locked: concurrent claims on one order must see each other's reservations.
      const orders = new Map((await ordersService.lockByIds(tx, orderIds)).map((o) => [o.id, o]));
      const productsOf = await ordersService.productIdsOf(tx, [...orders.keys()]);
      const existing = new Map(
        (
          await em.find(AfterSalesCase, {
            $or: parsed.map((p) => ({ platform: p.item.platform, externalNumber: p.item.externalNumber })),
          })
        ).map((c) => [`${c.platform}:${c.externalNumber}`, c]),
      );
      const casesOfOrders = await em.find(
        AfterSalesCase,
        { order: { $in: [...orders.keys()] } },
        { lockMode: LockMode.PESSIMISTIC_WRITE },
      );
      const events: DomainEvent[] = [];
      const tallies: Parameters<typeof addToTallies>[1] = [];

      const results = parsed.map(({ item, index, path, refusals, hash, openedAt }): OpenResult => {
        const reject = (errors: Refusal[]) => ({
          index,
          externalNumber: item.externalNumber,
          outcome: OpenOutcome.REJECTED,
          afterSalesCase: null,
          refusals: errors,
        });
        const errors = [...refusals];
        const key = `${item.platform}:${item.externalNumber}`;
        const previous = existing.get(key);
        if (previous) {
          if (previous.contentHash === hash) {
            return {
              index,
              externalNumber: item.externalNumber,
              outcome: OpenOutcome.DUPLICATE,
              afterSalesCase: previous,
              refusals: [],
            };
          }
          errors.push(
            refusal(
              RefusalCode.DUPLICATE_CONFLICT,
              `case ${item.externalNumber} was already opened with other content`,
              [...path, 'externalNumber'],
            ),
          );
        }
        const order = orders.get(item.orderId);
        if (item.orderId && !order) errors.push(refusal(RefusalCode.NOT_FOUND, 'no such order', [...path, 'orderId']));
        if (errors.length || !order) return reject(errors);

        const lineProducts = productsOf.get(order.id) ?? [];
        const productId = item.productId ?? lineProducts[0];
        if (!lineProducts.includes(productId)) {
          errors.push(
            refusal(RefusalCode.INVALID_INPUT, 'the product is not a line of the order', [...path, 'productId']),
          );
        }
        if ([OrderStatus.CANCELLED, OrderStatus.VOIDED, OrderStatus.REFUNDED].includes(order.status)) {
          errors.push(
            refusal(RefusalCode.NOT_ELIGIBLE, `the order is ${order.status}: nothing is left to claim`, [
              ...path,
              'orderId',
            ]),
          );
        }
        const afterReceipt = item.afterReceipt ?? Boolean(order.deliveredAt);
        if (afterReceipt && !order.deliveredAt) {
          errors.push(
            refusal(RefusalCode.INVALID_INPUT, 'the order was not delivered: the claim is before receipt', [
              ...path,
              'afterReceipt',
            ]),
          );
        }
        const ofOrder = casesOfOrders.filter((c) => c.order.id === order.id);
        if (ofOrder.some((c) => c.type === item.type && isOpen(c.status))) {
          errors.push(
            refusal(RefusalCode.ALREADY_OPEN, `the order already has an open ${item.type} case`, [...path, 'type']),
          );
        }
        const left = refundableLeft(order.paidAmount, ofOrder);
        if (item.requestedAmount > left) {
          errors.push(
            refusal(RefusalCode.CAP_EXCEEDED, `at most ${yuanText(left)} is still refundable on the order`, [
              ...path,
              'requestedAmount',
            ]),
          );
        }
        if (errors.length) return reject(errors);

        const opened = em.create(AfterSalesCase, {
          platform: item.platform,
          externalNumber: item.externalNumber,
          order: order.id,
          merchant: order.merchant.id,
          buyer: order.buyer.id,
          product: productId,
          type: item.type,
          reason: item.reason,
          afterReceipt,
          requestedAmount: item.requestedAmount,
          officialPickup: item.officialPickup ?? false,
          status: CaseStatus.OPENED,
          openedAt,
          contentHash: hash,
        });
        recordTransition(
          em,
          CaseStatusChange,
          { key: 'afterSalesCase', subject: opened },
          { to: CaseStatus.OPENED, actor: tx.actorLabel, reason: 'opened by the platform', at: openedAt },
          true,
        );
        for (const evidence of item.evidence ?? []) {
          em.create(CaseEvidence, {
            afterSalesCase: opened,
            kind: evidence.kind,
            url: evidence.url ?? null,
            text: evidence.text ?? null,
            suppliedBy: CaseParty.BUYER,
            actor: tx.actorLabel,
            suppliedAt: openedAt,
          });
        }
        existing.set(key, opened);
        casesOfOrders.push(opened);
        const refundOnly = item.type === CaseType.REFUND_ONLY;
        if (refundOnly) {
          const count = { day: chinaDay(openedAt), orders: 0, refundOnly: 1 };
          tallies.push(
            { ...count, subject: BreakerSubject.BUYER, subjectId: order.buyer.id, merchantId: null },
            { ...count, subject: BreakerSubject.MERCHANT, subjectId: order.merchant.id, merchantId: order.merchant.id },
            { ...count, subject: BreakerSubject.PRODUCT, subjectId: productId, merchantId: order.merchant.id },
          );
        }
        events.push({
          type: 'AfterSalesCaseOpened',
          caseId: opened.id,
          orderId: order.id,
          merchantId: order.merchant.id,
          buyerId: order.buyer.id,
          productId,
          refundOnly,
          openedAt,
        });
        return {
          index,
          externalNumber: item.externalNumber,
          outcome: OpenOutcome.CREATED,
          afterSalesCase: opened,
          refusals: [],
        };
      });
      await em.flush();
      await addToTallies(tx, tallies);
      await tx.emit(...events);
      const count = (o: OpenOutcome) => results.filter((r) => r.outcome === o).length;
      return {
        results,
        createdCount: count(OpenOutcome.CREATED),
        duplicateCount: count(OpenOutcome.DUPLICATE),
        rejectedCount: count(OpenOutcome.REJECTED),
      };
    });
    return { ...empty, ...outcome };
  },

  /** Evidence on an open case: a merchant supplies its own; the platform relays the buyer's or its own. */
  addEvidence(ctx: ServiceContext, input: { caseId: string; suppliedBy?: CaseParty | null } & EvidenceInput) {
    return runMutation(ctx, async (tx) => {
      const subject = await lockCase(tx, input.caseId);
      const party = suppliedByFor(tx, input.suppliedBy);
      if (!isOpen(subject.status)) fail(RefusalCode.ILLEGAL_TRANSITION, `the case is ${subject.status}`, ['caseId']);
      if (!input.url && !input.text) fail(RefusalCode.INVALID_INPUT, 'give a url or a text', ['url']);
      const evidence = tx.em.create(CaseEvidence, {
        afterSalesCase: subject,
        kind: input.kind,
        url: input.url ?? null,
        text: input.text ?? null,
        suppliedBy: party,
        actor: tx.actorLabel,
        suppliedAt: tx.now(),
      });
      return { afterSalesCase: subject, evidence };
    });
  },

  /** A message of the negotiation; the first one moves an opened case into negotiation. */
  addMessage(ctx: ServiceContext, input: { caseId: string; author?: CaseParty | null; body: string }) {
    return runMutation(ctx, async (tx) => {
      const subject = await lockCase(tx, input.caseId);
      const author = suppliedByFor(tx, input.author, 'author');
      if (!isOpen(subject.status)) fail(RefusalCode.ILLEGAL_TRANSITION, `the case is ${subject.status}`, ['caseId']);
      const body = input.body.trim();
      if (!body || body.length > 5_000)
        fail(RefusalCode.INVALID_INPUT, 'a message has 1 to 5,000 characters', ['body']);
      if (subject.status === CaseStatus.OPENED)
        move(tx, subject, CaseStatus.NEGOTIATING, `first message by the ${author}`);
      const message = tx.em.create(CaseMessage, {
        afterSalesCase: subject,
        author,
        body,
        actor: tx.actorLabel,
        sentAt: tx.now(),
      });
      return { afterSalesCase: subject, message };
    });
  },

  /**
   * Asks the platform to intervene: by the merchant on its own case, or by the platform for the buyer.
   * The decision (rules 1-7, with its rationale) is stored on the case; when the platform reviews, the
   * case goes under review; when it waits (negotiation window, evidence), the request stays pending and
   * may be asked again; when it declines (autonomy, malicious buyer, breaker, cap), nothing moves.
   */
  requestIntervention(ctx: ServiceContext, input: { caseId: string }) {
    return runMutation(ctx, async (tx) => {
      const subject = await lockCase(tx, input.caseId);
      const pending = [CaseStatus.OPENED, CaseStatus.NEGOTIATING, CaseStatus.INTERVENTION_REQUESTED];
      if (!pending.includes(subject.status)) {
        fail(RefusalCode.ILLEGAL_TRANSITION, `intervention cannot be asked on a case ${subject.status}`, ['caseId']);
      }
      await interveneOn(tx, subject, tx.now());
      return { afterSalesCase: subject };
    });
  },

  /**
   * Rule 3's delay, kept by the clock instead of a second request: every case waiting for its
   * negotiation window whose window has ended by `now` is decided again, as the platform asking for
   * the buyer; the platform reviews it unless another rule now says otherwise. Claimed with SKIP
   * LOCKED and moved out of the waiting state, so two runs of the same tick decide each case once.
   */
  interveneWhereDelayEnded(ctx: ServiceContext, now: Date) {
    return runMutation(ctx, async (tx) => {
      const due = await tx.em.find(
        AfterSalesCase,
        { status: CaseStatus.INTERVENTION_REQUESTED, interveneAfter: { $lte: now } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { interveneAfter: 'asc' }, limit: 200 },
      );
      const outcomes: InterventionOutcome[] = [];
      for (const subject of due) {
        // Decided again for whoever asked first (the stored decision says who).
        const asked = (subject.decision as { facts?: { case?: { requestedBy?: 'MERCHANT' | 'BUYER' } } } | null)?.facts
          ?.case?.requestedBy;
        outcomes.push((await interveneOn(tx, subject, now, asked)).outcome);
      }
      return {
        decided: due.length,
        reviewed: outcomes.filter((o) => o === InterventionOutcome.PLATFORM_REVIEWS).length,
      };
    });
  },

  /**
   * An arbitrator's ruling on a case under review, within what its decision allows. The refund, the
   * order's refund when it is now fully refunded, the platform's payouts and the score events commit
   * together with the ruling, or nothing does.
   */
  rule(ctx: ServiceContext, input: RulingInput) {
    return runMutation(ctx, async (tx) => {
      const locked = await lockCaseToRule(tx, input.caseId);
      const { subject } = locked;
      if (subject.status !== CaseStatus.UNDER_REVIEW) {
        fail(RefusalCode.ILLEGAL_TRANSITION, `only a case under review is ruled; this one is ${subject.status}`, [
          'caseId',
        ]);
      }
      await settle(tx, locked, input);
      return { afterSalesCase: subject };
    });
  },

  /**
   * Rule 2, "they decide themselves": the merchant settles a buyer's refund-only claim on its own case
   * when its standing leaves the claim to it (experience and integrity at the policy's thresholds, or
   * its band's graded amount). The claim is decided again as the platform would for the buyer, and
   * that decision, with its rules, clauses and policy version, is the case's record; anything else
   * (the platform reviews, a breaker, a malicious buyer) is refused, naming what applies. Money, score
   * effects, audit and live lines are an arbitrator's ruling's.
   */
  decideRefundOnly(ctx: ServiceContext, input: RulingInput) {
    return runMutation(ctx, async (tx) => {
      const locked = await lockCaseToRule(tx, input.caseId);
      const { subject } = locked;
      const pending = [CaseStatus.OPENED, CaseStatus.NEGOTIATING, CaseStatus.INTERVENTION_REQUESTED];
      if (subject.type !== CaseType.REFUND_ONLY || !pending.includes(subject.status)) {
        fail(
          RefusalCode.ILLEGAL_TRANSITION,
          `a merchant decides an open refund-only claim; this case is ${subject.type} and ${subject.status}`,
          ['caseId'],
        );
      }
      const now = tx.now();
      const decision = await interveneOn(tx, subject, now, 'BUYER');
      if (decision.outcome !== InterventionOutcome.MERCHANT_DECIDES) {
        const applied = decision.rulesApplied.map((r) => `${r.clause}: ${r.compared}`).join('; ');
        fail(RefusalCode.NOT_ELIGIBLE, `this claim is not the merchant's to decide (${decision.outcome}): ${applied}`, [
          'caseId',
        ]);
      }
      await settle(tx, locked, input, now);
      return { afterSalesCase: subject };
    });
  },

  /** The buyer withdraws the case (relayed by the platform) before it is ruled. */
  withdraw(ctx: ServiceContext, input: { caseId: string; reason: string }) {
    return runMutation(ctx, async (tx) => {
      const subject = await lockCase(tx, input.caseId);
      const reason = input.reason.trim();
      if (!reason) fail(RefusalCode.INVALID_INPUT, 'give the reason', ['reason']);
      move(tx, subject, CaseStatus.WITHDRAWN, reason);
      return { afterSalesCase: subject };
    });
  },
};

/**
 * Who supplies evidence or writes: a merchant always as itself (it cannot speak as the buyer), the
 * platform as the buyer it relays (default) or as itself.
 */
function suppliedByFor(tx: Tx, asked: CaseParty | null | undefined, field = 'suppliedBy'): CaseParty {
  if (!tx.scope.platform) {
    if (asked && asked !== CaseParty.MERCHANT) {
      fail(RefusalCode.FORBIDDEN_PARTY, 'a merchant speaks for itself only', [field]);
    }
    return CaseParty.MERCHANT;
  }
  if (asked === CaseParty.MERCHANT)
    fail(RefusalCode.FORBIDDEN_PARTY, 'the platform cannot speak for the merchant', [field]);
  return asked ?? CaseParty.BUYER;
}
